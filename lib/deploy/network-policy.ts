import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Label, labelKey, labelValue } from '../model/names';
import { NetworkRuleSpec, PeerSpec, PortSpec } from '../render/workload';

/**
 * A source of traffic a NetworkPolicy admits.
 *
 * @example
 * NetworkPeer.namespace('ingress-nginx')     // the ingress controller
 * NetworkPeer.app('shop-web')                // pods of another app in the namespace
 * NetworkPeer.sameApp()                      // the workload's own pods (peer to peer)
 * NetworkPeer.pods({ role: 'batch' }, 'jobs')
 */
export class NetworkPeer {
  /** Every pod of a namespace. */
  public static namespace(name: string): NetworkPeer {
    return new NetworkPeer((prop) => ({ namespace: dns1123Label(prop, name) }));
  }

  /** The pods of an app (`app.kubernetes.io/name`), in the workload's namespace or the one given. */
  public static app(name: string, namespace?: string): NetworkPeer {
    return NetworkPeer.pods({ 'app.kubernetes.io/name': name }, namespace);
  }

  /** Pods with these labels, in the workload's namespace or the one given. */
  public static pods(labels: Readonly<Record<string, string>>, namespace?: string): NetworkPeer {
    return new NetworkPeer((prop) => {
      if (typeof labels !== 'object' || labels === null || Object.keys(labels).length === 0) {
        throw ValidationError.invalid(prop, labels, 'must list at least one label; an empty selector admits every pod', "use NetworkPeer.namespace('…') to admit a whole namespace");
      }
      const podLabels: Record<string, string> = {};
      for (const key of Object.keys(labels).sort()) {
        podLabels[labelKey(`${prop}.${key}`, key)] = labelValue(`${prop}.${key}`, labels[key]);
      }
      return { ...(namespace !== undefined ? { namespace: dns1123Label(`${prop}.namespace`, namespace) } : {}), podLabels };
    });
  }

  /** The workload's own pods. */
  public static sameApp(): NetworkPeer {
    return new NetworkPeer((_prop, selector) => ({ podLabels: { ...selector } }));
  }

  private constructor(private readonly build: (prop: string, selector: Readonly<Record<string, string>>) => PeerSpec) {}

  /**
   * The peer, checked, for a workload whose pods carry `selector`.
   * @internal
   */
  public resolve(prop: string, selector: Readonly<Record<string, string>>): PeerSpec {
    return this.build(prop, selector);
  }
}

/** An opt-in NetworkPolicy: the pods admit only these peers. Egress stays open. */
export interface NetworkPolicyOptions {
  /** Who may reach the ports on the Service (the ingress controller, other apps, the same app). */
  readonly from: readonly NetworkPeer[];
  /**
   * Who may reach the ports kept off the Service (metrics, health): Prometheus's namespace.
   * The kubelet's probes come from the node and are not subject to the policy on most CNIs.
   * @default - nobody
   */
  readonly metricsFrom?: readonly NetworkPeer[];
}

const NETWORK_POLICY_PROPS: PropNames<NetworkPolicyOptions> = { from: true, metricsFrom: true };

/** The policy's rules: `from` to the Service's ports, `metricsFrom` to the others. */
export function resolveNetworkPolicy(props: NetworkPolicyOptions, ports: readonly PortSpec[], selector: Readonly<Record<string, string>>): NetworkRuleSpec[] {
  if (typeof props !== 'object' || props === null) {
    throw ValidationError.invalid('networkPolicy', props, 'must be an object', "use e.g. networkPolicy: { from: [NetworkPeer.namespace('ingress-nginx')] }");
  }
  rejectUnknownProps(props, NETWORK_POLICY_PROPS, 'NetworkPolicyOptions', 'networkPolicy');
  const served = ports.filter((p) => p.servicePort !== undefined).map((p) => p.name);
  const other = ports.filter((p) => p.servicePort === undefined).map((p) => p.name);
  const rules: NetworkRuleSpec[] = [];
  for (const [prop, peers, targets] of [['networkPolicy.from', props.from, served], ['networkPolicy.metricsFrom', props.metricsFrom, other]] as const) {
    if (peers === undefined && prop === 'networkPolicy.metricsFrom') {
      continue;
    }
    if (!Array.isArray(peers) || peers.length === 0) {
      throw ValidationError.invalid(prop, peers, 'must list at least one NetworkPeer (an empty list would admit nobody, say so by leaving the port out)', "use e.g. [NetworkPeer.namespace('ingress-nginx')]");
    }
    if (targets.length === 0) {
      throw ValidationError.invalid(prop, '[…]', prop.endsWith('metricsFrom') ? 'there is no port off the Service to admit them to' : 'there is no port on the Service to admit them to', 'remove it');
    }
    const from = peers.map((p, i) => {
      if (!(p instanceof NetworkPeer)) {
        throw ValidationError.invalid(`${prop}[${i}]`, p, 'not a NetworkPeer', "use NetworkPeer.namespace('…'), NetworkPeer.app('…') or NetworkPeer.sameApp()");
      }
      return p.resolve(`${prop}[${i}]`, selector);
    });
    rules.push({ ports: targets, from });
  }
  return rules;
}

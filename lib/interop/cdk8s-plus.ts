import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RollingDeployment } from '../deploy/rolling-deployment';
import { ValidationError } from '../model/errors';

/**
 * cdk8s-plus-27 interop: a {@link RollingDeployment}'s pods and Service where cdk8s-plus
 * constructs take their own — a NetworkPolicy's selector or peer, `connections.allowTo()`,
 * an Ingress backend. Import it from `goship/cdk8s-plus`; the rest of goship does not need
 * cdk8s-plus-27 installed.
 *
 * @example
 * import { IngressBackend, NetworkPolicy } from 'cdk8s-plus-27';
 * import { GoshipPods, ingressBackend } from 'goship/cdk8s-plus';
 *
 * new NetworkPolicy(chart, 'api-policy', { selector: GoshipPods.of(api) });
 * web.connections.allowTo(GoshipPods.of(api));
 * ingress.addHostDefaultBackend('shop.example.com', ingressBackend(api));
 */
export class GoshipPods extends Construct implements kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** The pods of `deployment`, as cdk8s-plus selects and peers with pods (one view per deployment). */
  public static of(deployment: RollingDeployment): GoshipPods {
    if (!RollingDeployment.isRollingDeployment(deployment)) {
      throw ValidationError.invalid('deployment', deployment, 'not a RollingDeployment', 'pass the RollingDeployment whose pods to select');
    }
    const existing = deployment.node.tryFindChild(ID);
    return existing instanceof GoshipPods ? existing : new GoshipPods(deployment, ID, deployment);
  }

  private constructor(scope: Construct, id: string, private readonly deployment: RollingDeployment) {
    super(scope, id);
  }

  /** The pods' stable selector labels, in the deployment's namespace if it has one. */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return {
      labelSelector: kplus.LabelSelector.of({ labels: { ...this.deployment.selectorLabels } }),
      ...(this.deployment.namespace ? { namespaces: { names: [this.deployment.namespace] } } : {}),
    };
  }

  /** The pods as a NetworkPolicy peer. */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** Itself: the peer is a pod selector. */
  public toPodSelector(): kplus.IPodSelector {
    return this;
  }
}

const ID = 'Cdk8sPlusPods';

/**
 * An Ingress backend for the deployment's Service, at its main port (or the Service port
 * given). The backend refers to the Service by name and port number, as cdk8s-plus writes
 * one for its own Service.
 */
export function ingressBackend(deployment: RollingDeployment, options: kplus.ServiceIngressBackendOptions = {}): kplus.IngressBackend {
  const ports = deployment.spec.ports.filter((p) => p.servicePort !== undefined).map((p) => ({ port: p.servicePort! }));
  if (deployment.serviceName === undefined || ports.length === 0) {
    throw ValidationError.invalid('deployment', deployment.name, 'has no Service (nothing is on it)', 'put the main port or an extra port on the Service');
  }
  // IngressBackend.fromService reads the Service's name and ports; this is that view of ours.
  const view = { name: deployment.serviceName, ports } as unknown as kplus.Service;
  return kplus.IngressBackend.fromService(view, { port: options.port ?? ports[0].port });
}

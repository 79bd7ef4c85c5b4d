import { ValidationError } from '../model/errors';
import { API_VERSION_RULES } from './api-versions';
import { parseDockerfile } from './dockerfile-parse';
import { DOCKERFILE_RULES } from './dockerfile-rules';
import { Finding, PolicyRule, Severity } from './finding';
import { K8S_RULES } from './k8s-rules';
import { PSS_BASELINE_RULES } from './pss-baseline-rules';
import { OLDEST_MINOR } from './pss-common';
import { PSS_RESTRICTED_RULES } from './pss-restricted-rules';
import { isSkipped, ruleGroup, skipAnnotationRule, skippedBy } from './skip';
import { KubeObject, LATEST_MINOR, ManifestSource, isCustomResource, manifestSet } from './workloads';
import { YAML_RULES } from './yaml-rules';

/** Every rule, in the order findings and the README list them. */
export const POLICY_RULES: readonly PolicyRule[] = [
  ...PSS_BASELINE_RULES, ...PSS_RESTRICTED_RULES, ...K8S_RULES, ...API_VERSION_RULES,
  skipAnnotationRule(() => POLICY_RULES.map((r) => r.id)),
  ...DOCKERFILE_RULES, ...YAML_RULES,
];

/**
 * Who else refuses what a rule finds: `'pod-security'` (the Pod Security admission controller
 * at the chosen level), `'api-server'` (the API server's own validation), `'kubectl'` (the
 * client, before anything reaches the cluster), or `'goship'`: goship's own policy, advice
 * Kubernetes itself does not enforce (probes, resources, image tags, Service wiring,
 * Dockerfiles, …).
 */
export type RuleSource = 'pod-security' | 'api-server' | 'kubectl' | 'goship';

/** The {@link RuleSource} of a rule id. */
export function ruleSource(id: string): RuleSource {
  if (id.startsWith('pss-')) {
    return 'pod-security';
  }
  if (id === 'api/removed-version' || id === 'selector/matches-template') {
    return 'api-server';
  }
  return id === 'yaml/syntax' ? 'kubectl' : 'goship';
}

/** A Pod Security Standards level: `baseline` runs the `pss-baseline/*` rules, `restricted` also the `pss-restricted/*` ones. */
export type PssLevel = 'baseline' | 'restricted';

/** Options every check takes. */
export interface CheckOptions {
  /**
   * Rule ids or rule groups not to run, e.g. `['container/read-only-root-filesystem', 'probes']`.
   * @default - every rule runs
   */
  readonly skip?: readonly string[];
  /**
   * The Pod Security level to enforce. Rules of other groups (probes, resources, …) run at both.
   * @default 'restricted'
   */
  readonly level?: PssLevel;
  /**
   * The Kubernetes version whose Pod Security Standards apply, `1.25` to `1.37` (controls
   * changed in 1.27, 1.29, 1.31, 1.32, 1.34, 1.35 and 1.37).
   * @default '1.37' - the newest goship knows, like the admission controller's `latest`
   */
  readonly kubernetesVersion?: string;
}

/** Options of {@link checkManifests}. */
export interface CheckManifestsOptions extends CheckOptions {
  /**
   * The file the objects came from, put on every finding.
   * @default - none
   */
  readonly file?: string;
  /**
   * The namespace of objects without `metadata.namespace` (Services select pods in their own namespace only).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

/** What a check of Kubernetes objects looked at, besides what it found. */
export interface ManifestReport {
  readonly findings: Finding[];
  /** Kubernetes objects read (after flattening `List`s). */
  readonly objects: number;
  /** Objects some rule inspected: workloads (anything with a pod template) and Services. */
  readonly checked: number;
  /**
   * Objects no rule inspects, counted by kind (`Kind` or `Kind (group)` for custom resources;
   * `Kind (Kustomize patch)` for the partial objects of patches).
   */
  readonly skippedKinds: Readonly<Record<string, number>>;
}

/** Parses `1.NN` into its minor version; throws a {@link ValidationError} outside 1.25–1.37. */
export function kubernetesMinor(version: string | undefined): number {
  if (version === undefined) {
    return LATEST_MINOR;
  }
  const m = /^v?1\.(\d+)(\.\d+)?$/.exec(version);
  const minor = m ? Number(m[1]) : NaN;
  if (!(minor >= OLDEST_MINOR && minor <= LATEST_MINOR)) {
    throw ValidationError.invalid('kubernetesVersion', version,
      `goship knows the Pod Security Standards of Kubernetes 1.${OLDEST_MINOR} to 1.${LATEST_MINOR}`,
      `use a version in that range, e.g. 1.${LATEST_MINOR}`);
  }
  return minor;
}

/** The rules to run, after checking that every skipped id or group and the level exist. */
export function activeRules(opts: CheckOptions): PolicyRule[] {
  const skip = opts.skip ?? [];
  for (const id of skip) {
    if (!POLICY_RULES.some((r) => r.id === id || ruleGroup(r.id) === id)) {
      const groups = [...new Set(POLICY_RULES.map((r) => ruleGroup(r.id)))];
      throw ValidationError.invalid('skip', id, 'not a policy rule or rule group', `use a group (${groups.join(', ')}) or a rule id from --list-rules`);
    }
  }
  const level = opts.level ?? 'restricted';
  if (level !== 'baseline' && level !== 'restricted') {
    throw ValidationError.invalid('level', String(level), 'not a Pod Security level goship enforces', "use 'baseline' or 'restricted'");
  }
  return POLICY_RULES.filter((r) => !isSkipped(r.id, skip) && !(level === 'baseline' && ruleGroup(r.id) === 'pss-restricted'));
}

/**
 * Checks Kubernetes objects (as parsed from YAML or synthesized): Pod Security (restricted
 * by default), probes, resources, image references, selectors and Service wiring.
 *
 * Pure. Objects without a `kind` are ignored; `List`s are flattened. Findings come in input
 * order of the objects, then rule order.
 *
 * @example
 * const findings = checkManifests(yaml.parseAllDocuments(text).map((d) => d.toJS()), { file: 'hello.k8s.yaml' });
 */
export function checkManifests(objects: readonly unknown[], opts: CheckManifestsOptions = {}): Finding[] {
  return checkManifestSources(objects.map((object) => ({ object, ...(opts.file !== undefined ? { file: opts.file } : {}) })), opts);
}

/** Like {@link checkManifests}, for objects from several files checked together (a Service and its Deployment may live apart). */
export function checkManifestSources(sources: readonly ManifestSource[], opts: Omit<CheckManifestsOptions, 'file'> = {}): Finding[] {
  return reportManifests(sources, opts).findings;
}

/**
 * Like {@link checkManifestSources}, and also says how many objects were checked and which kinds no rule inspects.
 *
 * @param unreadFiles files of the same check whose documents were not all read (templates,
 *   YAML errors): a Service whose pods goship cannot find may have them there, so that is a
 *   notice, not an error
 */
export function reportManifests(sources: readonly ManifestSource[], opts: Omit<CheckManifestsOptions, 'file'> = {}, unreadFiles: readonly string[] = []): ManifestReport {
  const rules = activeRules(opts);
  const set = manifestSet(sources, opts.defaultNamespace, kubernetesMinor(opts.kubernetesVersion), unreadFiles);
  const order = new Map<KubeObject, number>(set.objects.map((o, i) => [o, i]));
  const skips = new Map<KubeObject, string[]>(set.objects.map((o) => [o, skippedBy(o)]));
  const found: { finding: Finding; at: number }[] = [];
  for (const rule of rules) {
    if (rule.target !== 'manifests') {
      continue;
    }
    for (const hit of rule.check(set)) {
      if (isSkipped(rule.id, skips.get(hit.on) ?? [])) {
        continue;
      }
      found.push({
        at: order.get(hit.on) ?? 0,
        finding: {
          rule: rule.id,
          severity: hit.severity ?? rule.severity,
          ...(hit.on.file !== undefined ? { file: hit.on.file } : {}),
          ...(hit.on.line !== undefined ? { line: hit.on.line } : {}),
          object: hit.on.ref,
          message: hit.message,
        },
      });
    }
  }
  const inspected = new Set<KubeObject>([...set.workloads.map((w) => w.obj), ...set.objects.filter((o) => o.kind === 'Service' && !isCustomResource(o))]);
  const skippedKinds: Record<string, number> = {};
  for (const o of set.objects.filter((x) => !inspected.has(x))) {
    const kind = isCustomResource(o) ? `${o.kind} (${o.apiVersion.split('/')[0]})` : o.kind;
    skippedKinds[kind] = (skippedKinds[kind] ?? 0) + 1;
  }
  for (const o of set.patches) {
    const kind = `${o.kind} (Kustomize patch)`;
    skippedKinds[kind] = (skippedKinds[kind] ?? 0) + 1;
  }
  return {
    findings: found.sort((a, b) => a.at - b.at).map((f) => f.finding),
    objects: set.objects.length + set.patches.length,
    checked: inspected.size,
    skippedKinds: Object.fromEntries(Object.entries(skippedKinds).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/**
 * Checks a Dockerfile: a numeric non-root user, CGO_ENABLED=0 and no dynamic linking for
 * static bases, native cross-compilation, pinned and tagged bases, exec-form ENTRYPOINT/CMD.
 *
 * Pure: reads only `text`; `file` is put on the findings. Findings come in line order.
 *
 * @example
 * checkDockerfile(fs.readFileSync('Dockerfile', 'utf8'), 'Dockerfile')
 */
export function checkDockerfile(text: string, file?: string, opts: CheckOptions = {}): Finding[] {
  const df = parseDockerfile(text);
  const found: Finding[] = [];
  for (const rule of activeRules(opts)) {
    if (rule.target !== 'dockerfile') {
      continue;
    }
    for (const hit of rule.check(df)) {
      found.push({
        rule: rule.id,
        severity: hit.severity ?? rule.severity,
        ...(file !== undefined ? { file } : {}),
        ...(hit.line !== undefined ? { line: hit.line } : {}),
        message: hit.message,
      });
    }
  }
  return found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Counts findings by severity. */
export function countFindings(findings: readonly Finding[]): Record<`${Severity}s`, number> {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), notices: count('notice') };
}

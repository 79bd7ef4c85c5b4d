import { ValidationError } from '../model/errors';
import { parseDockerfile } from './dockerfile-parse';
import { DOCKERFILE_RULES } from './dockerfile-rules';
import { Finding, PolicyRule } from './finding';
import { K8S_RULES } from './k8s-rules';
import { PSS_RULES } from './pss-rules';
import { KubeObject, ManifestSource, manifestSet } from './workloads';
import { YAML_RULES } from './yaml-rules';

/** Every rule, in the order findings and the README list them. */
export const POLICY_RULES: readonly PolicyRule[] = [...PSS_RULES, ...K8S_RULES, ...DOCKERFILE_RULES, ...YAML_RULES];

/** Options every check takes. */
export interface CheckOptions {
  /**
   * Rule ids not to run, e.g. `['container/read-only-root-filesystem']`.
   * @default - every rule runs
   */
  readonly skip?: readonly string[];
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

/** The rules to run, after checking that every skipped id exists. */
export function activeRules(opts: CheckOptions): PolicyRule[] {
  const skip = new Set(opts.skip ?? []);
  for (const id of skip) {
    if (!POLICY_RULES.some((r) => r.id === id)) {
      throw ValidationError.invalid('skip', id, 'not a policy rule', `use one of ${POLICY_RULES.map((r) => r.id).join(', ')}`);
    }
  }
  return POLICY_RULES.filter((r) => !skip.has(r.id));
}

/**
 * Checks Kubernetes objects (as parsed from YAML or synthesized): Pod Security "restricted",
 * probes, resources, image references, selectors and Service wiring.
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
  const set = manifestSet(sources, opts.defaultNamespace);
  const order = new Map<KubeObject, number>(set.objects.map((o, i) => [o, i]));
  const found: { finding: Finding; at: number }[] = [];
  for (const rule of activeRules(opts)) {
    if (rule.target !== 'manifests') {
      continue;
    }
    for (const hit of rule.check(set)) {
      found.push({
        at: order.get(hit.on) ?? 0,
        finding: {
          rule: rule.id,
          severity: rule.severity,
          ...(hit.on.file !== undefined ? { file: hit.on.file } : {}),
          object: hit.on.ref,
          message: hit.message,
        },
      });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.finding);
}

/**
 * Checks a Dockerfile: a numeric non-root user, CGO_ENABLED=0 for static bases, native
 * cross-compilation, pinned and tagged bases, exec-form ENTRYPOINT/CMD.
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
        severity: rule.severity,
        ...(file !== undefined ? { file } : {}),
        ...(hit.line !== undefined ? { line: hit.line } : {}),
        message: hit.message,
      });
    }
  }
  return found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Counts findings by severity. */
export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}

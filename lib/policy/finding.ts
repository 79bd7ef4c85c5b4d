import type { Dockerfile } from './dockerfile-parse';
import type { KubeObject, ManifestSet } from './workloads';
import type { YamlFile } from './yaml-rules';

/**
 * How bad a finding is: an `error` fails `goship check` and the synth; a `warning` is
 * printed; a `notice` says what goship could not judge (e.g. pods a custom resource creates).
 */
export type Severity = 'error' | 'warning' | 'notice';

/**
 * One problem found in a Kubernetes object or a Dockerfile.
 *
 * @example
 * { rule: 'pss-restricted/run-as-non-root', severity: 'error', file: 'dist/hello.k8s.yaml',
 *   object: 'Deployment/hello', message: "container 'app': … — … — set …" }
 */
export interface Finding {
  /** Stable rule id, e.g. `pss-restricted/run-as-non-root`; see `POLICY_RULES`. */
  readonly rule: string;
  /** The rule's severity. */
  readonly severity: Severity;
  /** The file the finding is in, relative to the checked folder, when known. */
  readonly file?: string;
  /** 1-based line in `file` (Dockerfiles), when known. */
  readonly line?: number;
  /** The Kubernetes object, as `Kind/name`, e.g. `Deployment/hello`. */
  readonly object?: string;
  /** What is wrong, why it matters and how to fix it: `what — why — fix`. */
  readonly message: string;
}

/** What a manifest rule reports: the object and the message. */
export interface ObjectHit {
  readonly on: KubeObject;
  readonly message: string;
  /** Lower than the rule's severity when the rule cannot be sure (a `notice` worded as a doubt). @default - the rule's */
  readonly severity?: Severity;
}

/** What a Dockerfile rule reports: the line and the message. */
export interface LineHit {
  readonly line?: number;
  readonly message: string;
  /** Lower than the rule's severity when the rule cannot be sure. @default - the rule's */
  readonly severity?: Severity;
}

/** What every rule has: the columns of the rule table. */
export interface RuleBase {
  /** Stable id: `<group>/<name>`. Never renamed once released. */
  readonly id: string;
  readonly severity: Severity;
  /** One line for the README table. */
  readonly description: string;
}

/** A rule over all Kubernetes objects of one check (some rules relate objects, e.g. a Service to its pods). */
export interface ManifestRule extends RuleBase {
  readonly target: 'manifests';
  /** @internal */
  check(set: ManifestSet): readonly ObjectHit[];
}

/** A rule over one parsed Dockerfile. */
export interface DockerfileRule extends RuleBase {
  readonly target: 'dockerfile';
  /** @internal */
  check(dockerfile: Dockerfile): readonly LineHit[];
}

/** A rule over one YAML file, its text and what it parsed to (only the file checks read files). */
export interface YamlRule extends RuleBase {
  readonly target: 'yaml';
  /** @internal */
  check(file: { readonly text: string; readonly yaml: YamlFile }): readonly LineHit[];
}

/** One entry of `POLICY_RULES`. */
export type PolicyRule = ManifestRule | DockerfileRule | YamlRule;

/** `what — why — fix`, the message shape shared with `ValidationError`. */
export function say(what: string, why: string, fix: string): string {
  return `${what} — ${why} — ${fix}`;
}

/**
 * The policy gate: the checks users would otherwise run kube-score, kube-linter, Polaris and
 * hadolint for, on synthesized (or any) Kubernetes objects and Dockerfiles. Pure functions,
 * except {@link checkFolder}, which reads files.
 *
 * Every rule is an entry of {@link POLICY_RULES}: `{ id, severity, description, check }`.
 */
export { POLICY_RULES, ruleSource, checkManifests, checkManifestSources, reportManifests, checkDockerfile, countFindings, kubernetesMinor } from './engine';
export type { CheckOptions, CheckManifestsOptions, ManifestReport, PssLevel, RuleSource } from './engine';
export { SKIP_ANNOTATION } from './skip';
export { checkFolder, checkFiles, checkInputs, listPolicyFiles, readInputs, readManifestText, isDockerfileName, isJsonName, isManifestName, isYamlName } from './folder';
export type { PolicyInput, CheckReport } from './folder';
export type { Finding, Severity, PolicyRule, ManifestRule, DockerfileRule, YamlRule, RuleBase, LineHit } from './finding';
export type { ManifestSource } from './workloads';
export type { YamlFile } from './yaml-rules';
export type { Yaml11Difference, Yaml11Value } from '../model/yaml11';
export { parseDockerfile } from './dockerfile-parse';
export type { Dockerfile, Stage, Instruction, Flag } from './dockerfile-parse';

/**
 * What every Pulumi suite file needs: the engine built from Go modules with its plugins
 * installed offline, the standalone BuildKit daemon (scripts/buildkitd.sh) as docker-build's
 * `remote` builder, and the real cluster (scripts/cluster.sh), whose registry the builds push
 * to and the node pulls from.
 */
import { kubectl, clusterEnv, requireCluster, getJson } from '../../cluster/tools/kube';
import { BUILDER_IMAGE, ensureBuilderImage, pinnedBuilderImage } from '../tools/buildah';
import { buildkitEnv, pushDockerfileFrontend, requireBuildkit } from '../tools/buildx';
import { Cleanup } from '../tools/cleanup';
import { requireTools } from '../tools/prerequisites';
import { PulumiEngine, requirePulumiTools, setUpEngine } from '../tools/pulumi';

/** True when the tools, BuildKit and the cluster answer; in CI a missing one fails instead. */
export function pulumiSuiteReady(): boolean {
  return requireTools(['buildah', 'docker-registry', 'skopeo']) && requireBuildkit() && requireCluster();
}

/** An engine, the builder and the registry a suite file uses. */
export interface PulumiSuite {
  readonly engine: PulumiEngine;
  /** The buildx builder (buildkitd.sh's `remote` one), for `GoshipDeployment`'s `builder`. */
  readonly builder: string;
  /** The Go builder image, pinned by digest (the suite's registry mirror holds it). */
  readonly builderImage: string;
  /** `127.0.0.1:<port>`: the cluster's registry; BuildKit pushes there, the node pulls from it. */
  readonly registry: string;
}

/**
 * Builds (or finds) the engine and sets it up in folders of `cleanup`: the provider sees the
 * Docker config folder that holds the `remote` builder, and the cluster's kubeconfig.
 */
export async function setUpPulumiSuite(cleanup: Cleanup): Promise<PulumiSuite> {
  if (!(await requirePulumiTools())) {
    throw new Error('the Pulumi engine could not be built (see the warning above)');
  }
  const builderImage = await pinnedBuilderImage(await ensureBuilderImage(BUILDER_IMAGE));
  const buildkit = buildkitEnv();
  // goship's Dockerfiles start with `# syntax=docker/dockerfile:1`: BuildKit pulls that frontend
  // through its Docker Hub mirror, buildkitd.sh's registry, where the suite puts it (as bake's does).
  await pushDockerfileFrontend(buildkit.GOSHIP_BUILD_REGISTRY, 'docker/dockerfile:1');
  const cluster = clusterEnv();
  const engine = await setUpEngine(cleanup, { DOCKER_CONFIG: buildkit.DOCKER_CONFIG, KUBECONFIG: cluster.KUBECONFIG });
  return { engine, builder: buildkit.BUILDX_BUILDER, builderImage, registry: cluster.GOSHIP_CLUSTER_REGISTRY };
}

/** Deletes a namespace the suite made, at clean-up (its objects go with it). */
export function deleteNamespaceAtCleanup(cleanup: Cleanup, namespace: string): void {
  cleanup.add(`delete namespace ${namespace}`, () => kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']));
}

/** A Deployment as the API server reports it. */
export interface LiveDeployment {
  metadata: { generation: number };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> } };
  status: {
    observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number;
    conditions?: Array<{ type: string; status: string }>;
  };
}

/** Whether the Deployment's newest generation is rolled out and Available, read once (no waiting). */
export async function rolledOut(namespace: string, name: string): Promise<{ ok: boolean; status: LiveDeployment['status'] }> {
  const d = await getJson<LiveDeployment>(['-n', namespace, 'deployment', name]);
  const s = d.status;
  const available = (s.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
  const ok = available && s.observedGeneration === d.metadata.generation && s.updatedReplicas === d.spec.replicas
    && s.availableReplicas === d.spec.replicas && s.replicas === d.spec.replicas;
  return { ok, status: s };
}

/** `kind.group/name` for kubectl, from an object's apiVersion and kind. */
export function kubectlName(o: { apiVersion: string; kind: string; metadata: { name: string } }): string {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
}

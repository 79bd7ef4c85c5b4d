/**
 * Images for the cluster: built with buildah from the Dockerfiles goship synthesized (as
 * `docker buildx bake` would, for the node's platform, linux/amd64), pushed to the cluster's
 * registry under the tag goship gave them, then pinned by digest into the YAML with
 * `goship pin --from-registry`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BakeTarget, readBakeTargets } from '../../e2e/tools/bake';
import { buildOnce } from '../../e2e/tools/build-reuse';
import { BUILDAH, BUILDER_IMAGE, ensureBuilderImage, pinnedBuilderImage } from '../../e2e/tools/buildah';
import { Cleanup } from '../../e2e/tools/cleanup';
import { goship } from '../../e2e/tools/goship';
import { REPO_ROOT, run, uniqueName } from '../../e2e/tools/process';

/** The builder image pinned by digest, made by scripts/e2e-setup.sh when it is missing. */
export async function clusterBuilderImage(): Promise<string> {
  return pinnedBuilderImage(await ensureBuilderImage(BUILDER_IMAGE));
}

/** What {@link buildAndPush} pushed for one bake target. */
export interface PushedImage {
  /** `host/repo:tag`, as goship wrote it. */
  readonly ref: string;
  /** The manifest digest the registry stored. */
  readonly digest: string;
  readonly buildSeconds: number;
}

/**
 * Builds the named bake targets of `outdir` for linux/amd64 and pushes each to its tag. With
 * `rewrite`, the Dockerfile is changed first (e.g. cgo switched on) and built from a copy.
 */
export async function buildAndPush(
  outdir: string, targets: readonly string[], cleanup: Cleanup, rewrite?: (dockerfile: string) => string,
): Promise<Record<string, PushedImage>> {
  const bake = readBakeTargets(outdir);
  const pushed: Record<string, PushedImage> = {};
  for (const name of targets) {
    const target: BakeTarget | undefined = bake[name];
    if (!target) {
      throw new Error(`no bake target ${name} in ${outdir}/docker-bake.json (has ${Object.keys(bake).join(', ')})`);
    }
    const context = path.resolve(REPO_ROOT, target.context);
    const dockerfile = path.resolve(context, target.dockerfile);
    let file = dockerfile;
    if (rewrite) {
      file = path.join(cleanup.tmpdir('dockerfile'), 'Dockerfile');
      fs.writeFileSync(file, rewrite(fs.readFileSync(dockerfile, 'utf8')));
    }
    const tag = `localhost/goship-cluster/${name}:${uniqueName('b')}`;
    const built = await buildOnce({
      dockerfile: file, context, ignoreFile: `${dockerfile}.dockerignore`, platform: 'linux/amd64', buildArgs: target.args, tag,
    }, cleanup);
    const digestFile = path.join(cleanup.tmpdir('digest'), 'digest');
    const ref = target.tags[0];
    await run('buildah', [...BUILDAH, 'push', '--quiet', '--tls-verify=false', '--digestfile', digestFile, tag, `docker://${ref}`]);
    pushed[name] = { ref, digest: fs.readFileSync(digestFile, 'utf8').trim(), buildSeconds: built.seconds };
  }
  return pushed;
}

/** `goship pin --from-registry`: the YAML in `outdir` then names every image by digest. */
export async function pinFromRegistry(outdir: string, pinsFile: string, cleanup: Cleanup): Promise<void> {
  const env = { ...process.env, DOCKER_CONFIG: cleanup.tmpdir('docker-config') };
  const pin = await goship(['pin', '--from-registry', '--outdir', outdir, '--pins', pinsFile], { env });
  if (pin.exitCode !== 0) {
    throw new Error(`goship pin failed (${pin.exitCode}):\n${pin.stderr}${pin.stdout}`);
  }
}

/**
 * The registry cache the generated CI workflow relies on, and the `# syntax=` directive served
 * from a registry, both on the standalone buildkitd of `scripts/buildkitd.sh`:
 *
 * - bake with exactly the `cache-to`/`cache-from` settings `goship ci` writes into the workflow,
 *   wipe the builder's state (`docker buildx prune --all`), bake again: every compile step is
 *   `CACHED` from the registry (read from the build log, not from timing);
 * - BuildKit's Dockerfile frontend, built from its module and packed as an image, pushed to the
 *   local registry, then used through `DockerfileSyntax.mirror(…)` and, through buildkitd's
 *   Docker Hub mirror, through the default `# syntax=docker/dockerfile:1`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { HelloChart } from '../../examples/hello/hello-chart';
import { DockerfileSyntax, GoshipApp } from '../../lib';
import {
  bake, builderFrom, buildkitEnv, buildx, Cleanup, ensureBuilderImage, goship, matchingSteps, pushDockerfileFrontend,
  REPO_ROOT, requireBuildkit, requireTools,
} from './tools';

const describeE2E = requireTools(['buildah', 'skopeo', 'docker-registry']) && requireBuildkit() ? describe : describe.skip;

type Obj = Record<string, any>;

describeE2E('bake with a registry cache, and a Dockerfile frontend from a registry', () => {
  const cleanup = new Cleanup();
  let registry: string;
  /** A unique repository prefix per run: the registry outlives the suite. */
  const prefix = `e2e-${process.pid}`;

  /** Synthesizes examples/hello into a fresh folder; returns the bake file. */
  const synthHello = (name: string, dockerfileSyntax: DockerfileSyntax) => {
    const outdir = path.join(cleanup.tmpdir(`bake-${name}`), 'dist');
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT, dockerfileSyntax, warn: () => undefined });
    new HelloChart(app, 'hello', { repository: `${registry}/${prefix}/${name}/hello` });
    app.synth();
    // dist/ is outside the repository here: buildx asks for the right to read the Dockerfiles there
    return { outdir, bakeFile: path.join(outdir, 'docker-bake.json'), allow: `--allow=fs.read=${outdir}` };
  };

  beforeAll(async () => {
    registry = buildkitEnv().GOSHIP_BUILD_REGISTRY;
    const { outdir } = synthHello('builder', DockerfileSyntax.builtIn());
    await ensureBuilderImage(builderFrom(path.join(outdir, 'images', 'hello', 'Dockerfile')));
  });

  afterAll(() => cleanup.run());

  test("the workflow's registry cache: after the builder's state is wiped, every compile step comes from the registry", async () => {
    // GIVEN the bake settings of the workflow goship ci writes for this app
    const { outdir, bakeFile, allow } = synthHello('cache', DockerfileSyntax.builtIn());
    const workflowFile = path.join(path.dirname(outdir), 'goship.yml');
    // (a private repository for the cache, apart from the images' own)
    expect(await goship(['ci', '--outdir', outdir, '--output', workflowFile, '--cache-repository', `${registry}/${prefix}/private/buildcache`])).toMatchObject({ exitCode: 0 });
    const step = (Object.values(parse(fs.readFileSync(workflowFile, 'utf8')).jobs) as Obj[])
      .flatMap((j) => j.steps as Obj[]).find((s) => s.id === 'bake')!;
    const sets = [...(step.run as string).matchAll(/--set '([^']+)'/g)].map((m) => m[1]);
    expect(sets.map((s) => s.replace(/=.*/, '')).sort()).toEqual(['hello.cache-from', 'hello.cache-to']);
    const args = ['-f', bakeFile, allow, '--push', ...sets.flatMap((s) => ['--set', s])];

    // WHEN a builder with nothing cached fills the registry cache, forgets everything, and bakes again
    expect((await buildx(['prune', '--all', '--force'])).exitCode).toBe(0);
    const first = await bake(args);
    const prune = await buildx(['prune', '--all', '--force']);
    expect(prune.exitCode).toBe(0);
    const du = await buildx(['du']);
    const second = await bake(args);
    process.stdout.write(`e2e: bake with cache-to ${first.seconds.toFixed(1)} s; after prune, from the registry cache ${second.seconds.toFixed(1)} s\n`);

    // THEN the builder had no cache left, and the compile steps of both platforms came from the registry
    expect(du.stdout).toMatch(/^Total:\s+0B?$/m);
    expect(second.log).toMatch(/^#\d+ importing cache manifest from /m);
    const compiles = matchingSteps(second.log, /go build/);
    expect(compiles.map((c) => c.step.replace(/ \d+\/\d+\].*/, ']')).sort()).toEqual(['[linux/amd64 build]', '[linux/amd64->arm64 build]']);
    expect(compiles.filter((c) => !c.cached)).toEqual([]);
    expect(matchingSteps(first.log, /go build/).some((c) => c.cached)).toBe(false);
  });

  test.each([
    ['DockerfileSyntax.mirror(<registry>/docker/dockerfile:1)', 'mirror'],
    ['the default # syntax=docker/dockerfile:1, through the Docker Hub mirror', 'hub'],
  ])('a build parsed by the frontend built from BuildKit\'s module: %s', async (_, how) => {
    // GIVEN the frontend image in the registry, under the name the directive uses
    const image = how === 'mirror'
      ? await pushDockerfileFrontend(registry, `${prefix}/docker/dockerfile:1`)
      : await pushDockerfileFrontend(registry, 'docker/dockerfile:1');
    const { outdir, bakeFile, allow } = synthHello(`syntax-${how}`, how === 'mirror' ? DockerfileSyntax.mirror(image) : DockerfileSyntax.dockerfile1());
    const dockerfile = fs.readFileSync(path.join(outdir, 'images', 'hello', 'Dockerfile'), 'utf8');
    expect(dockerfile.split('\n')[0]).toBe(how === 'mirror' ? `# syntax=${image}` : '# syntax=docker/dockerfile:1');
    // WHEN
    const built = await bake(['-f', bakeFile, allow, '--set', 'hello.platform=linux/amd64', '--set', 'hello.output=type=cacheonly']);
    // THEN BuildKit resolved the frontend from the local registry and ran it
    const ref = how === 'mirror' ? image : 'docker.io/docker/dockerfile:1';
    expect(built.log).toContain(`resolve image config for docker-image://${ref}`);
    expect(built.log).toMatch(/^#\d+ \[build \d+\/\d+\] RUN .*GOARCH=amd64 go build/m);
  });
});

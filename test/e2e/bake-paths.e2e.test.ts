/**
 * Where bake runs from. goship writes the bake file's `context` relative to the app's `rootdir`
 * (default: the folder synth runs in) and `dockerfile` relative to that context, as buildx
 * reads them by default: relative to the folder bake runs in. So bake runs where synth ran:
 *
 * - the repository root, with the infra code's output in `infra/dist/`;
 * - the infra folder (`infra/`, `infra/dist/`), the Go module beside it in `services/hello/`.
 *
 * Both are proven with `docker buildx bake --print` and a real bake on the standalone buildkitd
 * of `scripts/buildkitd.sh`, in a repository laid out as real ones are.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { DockerfileSyntax, GoshipApp, GoStaticImage, Platform } from '../../lib';
import {
  bake, builderFrom, buildkitEnv, buildx, Cleanup, ensureBuilderImage, REPO_ROOT, requireBuildkit, requireTools,
} from './tools';

const describeE2E = requireTools(['buildah', 'docker-registry']) && requireBuildkit() ? describe : describe.skip;

describeE2E('bake from the repository root and from the infra folder', () => {
  const cleanup = new Cleanup();
  let registry: string;
  let repo: string;
  const prefix = `e2e-${process.pid}`;

  /** Synthesizes one image of services/hello with `rootdir`, into infra/dist. */
  const synth = (rootdir: string) => {
    const outdir = path.join(repo, 'infra', 'dist');
    const app = new GoshipApp({ outdir, rootdir, dockerfileSyntax: DockerfileSyntax.builtIn(), warn: () => undefined });
    new GoStaticImage(new Chart(app, 'hello'), 'image', {
      context: path.join(repo, 'services', 'hello'),
      repository: `${registry}/${prefix}/paths/hello`,
      tag: 'v1.0.0',
      platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
    });
    app.synth();
    return outdir;
  };

  beforeAll(async () => {
    registry = buildkitEnv().GOSHIP_BUILD_REGISTRY;
    repo = cleanup.tmpdir('bake-repo');
    fs.mkdirSync(path.join(repo, 'services', 'hello'), { recursive: true });
    for (const f of ['go.mod', 'main.go']) {
      fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'hello', f), path.join(repo, 'services', 'hello', f));
    }
    const outdir = synth(repo);
    await ensureBuilderImage(builderFrom(path.join(outdir, 'images', 'hello', 'Dockerfile')));
  });

  afterAll(() => cleanup.run());

  test.each([
    ['the repository root', '', 'infra/dist/docker-bake.json', 'services/hello', []],
    // The module is outside the folder bake runs in: buildx asks for the right to read it.
    ['the infra folder', 'infra', 'dist/docker-bake.json', '../services/hello', ['--allow=fs.read=..']],
  ])('synth with rootdir %s, bake from there: --print names the module folder, and the real bake builds both platforms', async (_, rel, file, context, allow) => {
    // GIVEN
    const cwd = path.join(repo, rel);
    synth(cwd);
    // WHEN
    const printed = await buildx(['bake', '-f', file, '--print'], { cwd });
    // THEN
    expect(printed.exitCode).toBe(0);
    const target = JSON.parse(printed.stdout).target.hello;
    expect({ context: target.context, platforms: target.platforms }).toEqual({ context, platforms: ['linux/amd64', 'linux/arm64'] });
    expect(fs.existsSync(path.resolve(cwd, target.context, target.dockerfile))).toBe(true);
    // AND the real bake builds from there
    const built = await bake(['-f', file, ...allow, '--set', 'hello.output=type=cacheonly'], cwd);
    expect(built.log).toMatch(/^#\d+ \[linux\/amd64->arm64 build \d+\/\d+\] RUN .*go build/m);
  });

  test('fails if bake runs from the infra folder without the right to read the module beside it', async () => {
    // GIVEN
    const cwd = path.join(repo, 'infra');
    synth(cwd);
    // WHEN
    const r = await buildx(['bake', '-f', 'dist/docker-bake.json', '--set', 'hello.output=type=cacheonly'], { cwd });
    // THEN buildx names the folder and the flag
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('Read access to path ../services/hello');
    expect(r.stderr).toContain('Pass "--allow=fs.read=../services/hello"');
    expect(r.stderr).toContain('ERROR: additional privileges requested');
  });

  test('fails if bake runs from another folder than rootdir: the context is not found', async () => {
    // GIVEN a bake file synthesized for the infra folder
    synth(path.join(repo, 'infra'));
    // WHEN bake runs from the repository root
    const r = await buildx(['bake', '-f', 'infra/dist/docker-bake.json', `--allow=fs.read=${path.dirname(repo)}`, '--set', 'hello.output=type=cacheonly'], { cwd: repo });
    // THEN the context, read from the repository root, names a folder beside the repository
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/ERROR: .*services\/hello/);
  });
});

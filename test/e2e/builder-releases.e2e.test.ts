/**
 * The builder images of every proven Go release, through the Docker engine's BuildKit and the
 * registry mirror: a module's go.mod alone picks the builder (`toolchain go1.27.3` gives
 * `golang:1.27.3`, `go 1.19` gives `golang:1.19`), the Dockerfile goship writes builds
 * unmodified, and the binary says which Go built it. A Dockerfile whose Go is older than
 * go.mod (which synth refuses, so the test writes it by hand) fails with the go command's own
 * message and downloads no other toolchain.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { DockerfileSyntax, GoshipApp, GoStaticImage } from '../../lib';
import { readGoBuildInfo } from '../../lib/inspect/buildinfo';
import { readElf } from '../../lib/inspect/elf';
import { makeGoModule } from '../support/go-module';
import { Cleanup, docker, dockerBuild, ensureBuilderImage, requireDockerEngine, requireTools } from './tools';

const describeE2E = requireTools(['docker-registry']) && requireDockerEngine() ? describe : describe.skip;

const MAIN = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n';

describeE2E('builder images of every proven Go release, built unmodified with BuildKit', () => {
  const cleanup = new Cleanup();
  const tag = (what: string) => `localhost/goship-e2e/releases:${what}-${process.pid}`;

  afterAll(() => cleanup.run());

  /** Synthesizes one image of `dir` and returns its Dockerfile's path. */
  const synth = (dir: string): { dockerfile: string; image: GoStaticImage } => {
    const outdir = path.join(cleanup.tmpdir('releases-synth'), 'dist');
    const app = new GoshipApp({ outdir, dockerfileSyntax: DockerfileSyntax.builtIn(), warn: () => undefined });
    const image = new GoStaticImage(new Chart(app, 'c'), 'image', { context: dir, name: 'app', tag: 'v1', versionVariable: false });
    app.synth();
    return { dockerfile: path.join(outdir, 'images', 'app', 'Dockerfile'), image };
  };

  /** The Go that built /app in `image`, read from the binary. */
  const goOfImage = async (image: string): Promise<string> => {
    const id = (await docker(['create', image])).stdout.trim();
    const out = path.join(cleanup.tmpdir('releases-bin'), 'app');
    try {
      await docker(['cp', `${id}:/app`, out]);
    } finally {
      await docker(['rm', id], { allowFailure: true });
    }
    const bytes = fs.readFileSync(out);
    return readGoBuildInfo(bytes, readElf(bytes))!.goVersion;
  };

  test.each([
    ['toolchain go1.27.3', 'module example.com/a\n\ngo 1.26.0\n\ntoolchain go1.27.3\n', 'golang:1.27.3', 'go1.27.3'],
    ['go 1.26.0', 'module example.com/b\n\ngo 1.26.0\n', 'golang:1.26', 'go1.26.8'],
    ['go 1.19', 'module example.com/c\n\ngo 1.19\n', 'golang:1.19', 'go1.19.8'],
  ])('go.mod saying %s builds on %s and the binary is %s', async (_what, goMod, builder, goVersion) => {
    // GIVEN a module and the builder its go.mod picks, in the mirror
    await ensureBuilderImage(builder);
    const dir = makeGoModule({ goMod, files: { 'main.go': MAIN } });
    const { dockerfile, image } = synth(dir);
    expect(image.builderImage).toBe(builder);
    expect(fs.readFileSync(dockerfile, 'utf8')).toContain(`FROM --platform=$BUILDPLATFORM ${builder} AS build`);
    // WHEN the Dockerfile is built as written
    const built = await dockerBuild({ dockerfile, context: dir, platform: 'linux/amd64', tag: tag(builder.replace(/[:.]/g, '-')) }, cleanup);
    // THEN the binary was built by that release
    expect(await goOfImage(built.tag)).toBe(goVersion);
  });

  test('a builder older than go.mod fails the build with the go command\'s message and downloads no toolchain', async () => {
    // GIVEN a module that needs Go 1.27 and a Dockerfile forced onto golang:1.26.8 (synth would refuse it)
    await ensureBuilderImage('golang:1.26.8');
    const dir = makeGoModule({ goMod: 'module example.com/d\n\ngo 1.27.0\n', files: { 'main.go': MAIN } });
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: dir, goVersion: '1.26.8' })).toThrow(/goVersion: '1.26.8' — builds with Go 1.26.8, older than go.mod's 'go 1.27.0'/);
    const { dockerfile } = synth(dir);
    const forced = `${dockerfile}.forced`;
    fs.writeFileSync(forced, fs.readFileSync(dockerfile, 'utf8').replace(' golang:1.27 AS build', ' golang:1.26.8 AS build'));
    // WHEN
    const result = await dockerBuild({ dockerfile: forced, context: dir, platform: 'linux/amd64', tag: tag('too-old'), allowFailure: true }, cleanup);
    // THEN
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toMatch(/go: go\.mod requires go >= 1\.27\.0 \(running go 1\.26\.8; GOTOOLCHAIN=local\)/);
    expect(result.log).not.toMatch(/go: downloading go1\.27/);
  });
});

/**
 * Company Go modules, built for real with buildah from what goship synthesizes: a vendored
 * module, a module that replaces one module with a folder inside it and one with a folder
 * outside it, a go.work workspace, and a module that needs a private module from a proxy that
 * requires basic auth (over https, the only way go sends credentials, from a builder image that
 * trusts the proxy's CA, as a company's does). Every build that can be is offline
 * (`--network none`); the private one reaches the proxy on 127.0.0.1, with the credential as a
 * secret mount.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Chart } from 'cdk8s';
import { BuildSecret, GoshipApp, GoStaticImage, LinkValue, RollingDeployment } from '../../lib';
import { GO } from '../support/go';
import { writeFiles } from '../support/go-module';
import {
  buildahBuild, BUILDAH, BuiltImage, Cleanup, e2eImageTag, ensureBuilderImage, exportOciLayout, GoProxy,
  pinnedBuilderImage, pinnedLocalImage, requireTools, run, runcRunToExit, startGoProxy, unpackBundle,
} from './tools';

/** The parts of a docker-bake.json target a build reads. */
interface BakeTarget {
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  secret?: string[];
}

const describeE2E = requireTools(['buildah', 'runc', 'umoci', 'go', 'openssl']) ? describe : describe.skip;

const GIT_ENV = {
  GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_AUTHOR_DATE: '2026-11-28T10:04:05Z', GIT_COMMITTER_DATE: '2026-11-28T10:04:05Z',
};

/** A unique private version per run: buildah keeps its cache mounts, and the download must happen in this run. */
const PRIVATE_VERSION = `v1.0.${process.pid}`;
const CREDENTIALS = { user: 'ci', password: `s3cret-${process.pid}-${Date.now().toString(36)}` };

const goMod = (module: string, extra = '') => `module ${module}\n\ngo 1.19\n${extra}`;

/** The monorepo: libs/, services/ and a workspace under work/. */
const REPO_FILES: Record<string, string> = {
  'libs/strutil/go.mod': goMod('example.com/strutil'),
  'libs/strutil/strutil.go': 'package strutil\n\nfunc Reverse(s string) string {\n\tr := []rune(s)\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn string(r)\n}\n',
  'services/api/go.mod': goMod('example.com/api', '\nrequire (\n\texample.com/fork v0.0.0\n\texample.com/strutil v0.0.0\n)\n\nreplace example.com/strutil => ../../libs/strutil\n\nreplace example.com/fork => ./third_party/fork\n'),
  'services/api/third_party/fork/go.mod': goMod('example.com/fork'),
  'services/api/third_party/fork/fork.go': 'package fork\n\nconst Name = "fork"\n',
  'services/api/cmd/api/main.go': [
    'package main', '', 'import (', '\t"fmt"', '', '\t"example.com/fork"', '\t"example.com/strutil"', ')', '',
    'var (', '\tversion = "dev"', '\tcommit  = "none"', '\tdate    = "none"', '\tedition = "none"', ')', '',
    'func main() {', '\tfmt.Printf("%s %s version=%s commit=%s date=%s edition=%s\\n", strutil.Reverse("olleh"), fork.Name, version, commit, date, edition)', '}', '',
  ].join('\n'),
  'services/vendored/go.mod': goMod('example.com/vendored', '\nrequire example.com/retry v1.2.0\n'),
  'services/vendored/vendor/modules.txt': '# example.com/retry v1.2.0\n## explicit; go 1.19\nexample.com/retry\n',
  'services/vendored/vendor/example.com/retry/retry.go': 'package retry\n\nconst Attempts = 3\n',
  'services/vendored/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/retry"\n)\n\nfunc main() { fmt.Printf("retry attempts=%d\\n", retry.Attempts) }\n',
  'work/go.work': 'go 1.19\n\nuse (\n\t./app\n\t./greet\n\t./unused\n)\n',
  'work/app/go.mod': goMod('example.com/app', '\nrequire example.com/greet v0.0.0\n'),
  'work/app/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n',
  'work/greet/go.mod': goMod('example.com/greet'),
  'work/greet/greet.go': 'package greet\n\nfunc Hello() string { return "hello from the workspace" }\n',
  'work/unused/go.mod': goMod('example.com/unused'),
  'work/unused/unused.go': 'package unused\n',
  'services/private/go.mod': goMod('example.com/privsvc', `\nrequire example.com/private ${PRIVATE_VERSION}\n`),
  'services/private/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/private"\n)\n\nfunc main() { fmt.Println(private.Greeting()) }\n',
};

describeE2E('company Go modules, built with buildah from what goship synthesizes', () => {
  const cleanup = new Cleanup();
  let repo: string;
  let outdir: string;
  let builderImage: string;
  let privateBuilderImage: string;
  let proxy: GoProxy;
  let bake: Record<string, BakeTarget>;
  let app: GoshipApp;
  const images: Record<string, GoStaticImage> = {};

  const dockerfileOf = (name: string) => fs.readFileSync(path.join(outdir, 'images', name, 'Dockerfile'), 'utf8');

  /** Builds a bake target as `docker buildx bake` would: its context, Dockerfile, ignore file, args and secrets. */
  const build = (name: string, options: { offline?: boolean; secrets?: boolean; env?: Record<string, string> } = {}) => {
    const target = bake[name];
    const context = path.resolve(repo, target.context);
    const dockerfile = path.resolve(context, target.dockerfile);
    return buildahBuild({
      dockerfile, context, ignoreFile: `${dockerfile}.dockerignore`, platform: 'linux/amd64', buildArgs: target.args,
      tag: e2eImageTag(name, 'modules'), offline: options.offline, secrets: options.secrets ? target.secret : [], env: options.env,
    }, cleanup);
  };

  /** Runs the image's entrypoint under runc and returns what it printed. */
  const runImage = async (image: BuiltImage, name: string) => {
    const layout = await exportOciLayout(image.tag, path.join(cleanup.tmpdir(`${name}-oci`), 'layout'), name);
    const bundle = await unpackBundle(layout, name, path.join(cleanup.tmpdir(`${name}-bundle`), 'bundle'));
    const result = await runcRunToExit(bundle, cleanup, name);
    return { layout, stdout: result.stdout.trim(), exitCode: result.exitCode };
  };

  beforeAll(async () => {
    builderImage = await pinnedBuilderImage(await ensureBuilderImage());
    repo = cleanup.tmpdir('monorepo');
    writeFiles(repo, REPO_FILES);
    proxy = await startGoProxy([{
      path: 'example.com/private',
      version: PRIVATE_VERSION,
      files: { 'go.mod': goMod('example.com/private'), 'private.go': 'package private\n\nfunc Greeting() string { return "private module ok" }\n' },
    }], CREDENTIALS, cleanup);
    // The company's builder image trusts the proxy's certificate authority.
    const caContext = cleanup.tmpdir('builder-ca');
    fs.copyFileSync(proxy.caFile, path.join(caContext, 'proxy-ca.crt'));
    fs.writeFileSync(path.join(caContext, 'Dockerfile'), `FROM ${builderImage}\nCOPY proxy-ca.crt /usr/local/share/ca-certificates/\nRUN update-ca-certificates\n`);
    const companyBuilder = await buildahBuild({ dockerfile: path.join(caContext, 'Dockerfile'), context: caContext, platform: 'linux/amd64', tag: e2eImageTag('builder-with-ca', 'modules') }, cleanup);
    privateBuilderImage = await pinnedLocalImage(companyBuilder.tag);
    // go.sum as a developer's machine writes it: the real go, through the proxy, with a netrc.
    const home = cleanup.tmpdir('home');
    fs.writeFileSync(path.join(home, '.netrc'), `machine ${proxy.host} login ${CREDENTIALS.user} password ${CREDENTIALS.password}\n`);
    // (async: the proxy answers from this process)
    await run(GO, ['mod', 'tidy'], {
      cwd: path.join(repo, 'services/private'),
      env: { ...process.env, HOME: home, NETRC: path.join(home, '.netrc'), GOPROXY: proxy.url, SSL_CERT_FILE: proxy.caFile, GONOSUMDB: 'example.com/private', GOFLAGS: '-mod=mod', GOMODCACHE: path.join(home, 'mod'), GOCACHE: path.join(home, 'cache') },
    });
    await run('chmod', ['-R', 'u+w', path.join(home, 'mod')]);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, ...GIT_ENV }, stdio: 'pipe', encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'monorepo');

    outdir = path.join(cleanup.tmpdir('modules-synth'), 'dist');
    app = new GoshipApp({ outdir, rootdir: repo });
    const chart = new Chart(app, 'mono');
    const common = { builderImage };
    images.api = new GoStaticImage(chart, 'api', {
      ...common, name: 'api', context: path.join(repo, 'services/api'), main: './cmd/api',
      linkValues: { 'main.commit': LinkValue.revision(), 'main.date': LinkValue.commitDate(), 'main.edition': 'community' },
    });
    images.vendored = new GoStaticImage(chart, 'vendored', { ...common, name: 'vendored', context: path.join(repo, 'services/vendored'), versionVariable: false });
    images.workspace = new GoStaticImage(chart, 'workspace', { ...common, name: 'workspace', context: path.join(repo, 'work/app'), versionVariable: false });
    images.private = new GoStaticImage(chart, 'private', {
      builderImage: privateBuilderImage, name: 'private', context: path.join(repo, 'services/private'), versionVariable: false,
      goProxy: proxy.url, goNoSumDb: ['example.com/private'], secrets: [BuildSecret.netrc()],
    });
    new RollingDeployment(chart, 'private-deployment', { image: images.private });
    app.synth();
    bake = (JSON.parse(fs.readFileSync(path.join(outdir, 'docker-bake.json'), 'utf8')) as { target: Record<string, BakeTarget> }).target;
  });

  afterAll(() => cleanup.run());

  test('a vendored module builds offline from vendor/, without a download step', async () => {
    // GIVEN the synthesized Dockerfile
    expect(dockerfileOf('vendored')).not.toContain('go mod download');
    expect(dockerfileOf('vendored')).toContain('go build -trimpath -mod=vendor');
    // WHEN it is built with no network at all
    const built = await build('vendored', { offline: true });
    // THEN the binary runs with the vendored module
    expect((await runImage(built, 'vendored')).stdout).toBe('retry attempts=3');
  });

  test('replaces with a folder inside and one outside the module build offline from the repository root', async () => {
    // GIVEN the context is the repository root, and the ignore file lets only the two modules through
    expect(bake.api.context).toBe('.');
    expect(fs.readFileSync(path.join(outdir, 'images/api/Dockerfile.dockerignore'), 'utf8').split('\n').slice(1, 4)).toEqual(['*', '!libs/strutil', '!services/api']);
    // WHEN it is built with no network at all
    const built = await build('api', { offline: true });
    // THEN both replacements are in the binary, and so are the link-time values
    const commit = images.api.revision!;
    expect((await runImage(built, 'api')).stdout)
      .toBe(`hello fork version=${commit.slice(0, 7)} commit=${commit} date=2026-11-28T10:04:05Z edition=community`);
  });

  test('a go.work workspace builds offline from the workspace folder', async () => {
    expect(bake.workspace.context).toBe('work');
    const built = await build('workspace', { offline: true });
    expect((await runImage(built, 'workspace')).stdout).toBe('hello from the workspace');
  });

  describe('a private module behind a proxy that requires basic auth', () => {
    // The proxy starts in beforeAll: its host (with the port) is known only then.
    const netrcFor = () => `machine ${proxy.host} login ${CREDENTIALS.user} password ${CREDENTIALS.password}\n`;

    test('fails clearly without the secret, and with a wrong credential the proxy refuses it', async () => {
      // WHEN the secret is not passed
      await expect(build('private')).rejects.toThrow(/secret required but no secret with id netrc found/);
      // WHEN a wrong credential is passed
      const wrong = build('private', { secrets: true, env: { GOSHIP_SECRET_NETRC: `machine ${proxy.host} login ci password wrong\n` } });
      // THEN go reports what the proxy said
      await expect(wrong).rejects.toThrow(/401 Unauthorized/);
    });

    test('builds with the netrc secret, and the credential is in no layer, history, build arg, bake file, Dockerfile or YAML', async () => {
      // GIVEN the bake file declares where the secret comes from, never its content
      expect(bake.private.secret).toEqual(['id=netrc,env=GOSHIP_SECRET_NETRC']);
      // WHEN it is built with the secret bake would pass
      const before = proxy.requests.filter((r) => r.authorized && r.path.endsWith('.zip')).length;
      const built = await build('private', { secrets: true, env: { GOSHIP_SECRET_NETRC: netrcFor() } });
      // THEN the module came through the proxy, with the credential, during this build
      expect(proxy.requests.filter((r) => r.authorized && r.path.endsWith(`/${PRIVATE_VERSION}.zip`)).length).toBe(before + 1);
      const { layout, stdout } = await runImage(built, 'private');
      expect(stdout).toBe('private module ok');
      // AND the credential is nowhere: every blob of the image (layers decompressed, config with its history) …
      const blobs = fs.readdirSync(path.join(layout, 'blobs', 'sha256')).map((b) => fs.readFileSync(path.join(layout, 'blobs', 'sha256', b)));
      expect(blobs.length).toBeGreaterThanOrEqual(3);
      const texts = blobs.map((b) => (b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b).toString('latin1'));
      // … buildah's view of the image and its log, and everything synth wrote
      const { stdout: inspect } = await run('buildah', [...BUILDAH, 'inspect', '--type', 'image', built.tag]);
      const written = fs.readdirSync(outdir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(outdir, f)).isFile())
        .map((f) => fs.readFileSync(path.join(outdir, f), 'utf8'));
      expect(written.length).toBeGreaterThanOrEqual(4);
      for (const text of [...texts, inspect, built.log, ...written, JSON.stringify(bake)]) {
        expect(text).not.toContain(CREDENTIALS.password);
      }
      // (the check can fail: the binary is in a layer and is found the same way)
      expect(texts.some((t) => t.includes('private module ok'))).toBe(true);
    });
  });
});

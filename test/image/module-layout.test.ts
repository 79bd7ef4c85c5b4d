import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { BuildSecret, GoshipApp, GoStaticImage, ValidationError } from '../../lib';
import { clearGitCache } from '../../lib/image/git';
import { clearGoModuleCache } from '../../lib/image/go-module';
import { clearModuleLayoutCache } from '../../lib/image/module-layout';
import { makeRepo, MAIN_WITH_VERSION, writeFiles } from '../support/go-module';

beforeEach(() => {
  clearGitCache();
  clearGoModuleCache();
  clearModuleLayoutCache();
});

const goMod = (module: string, extra = '') => `module ${module}\n\ngo 1.22\n${extra}`;

/** A monorepo: a shared library, a service that replaces it and a fork inside itself, a vendored service, a workspace. */
function monorepo(extra: Record<string, string> = {}): string {
  return makeRepo({
    'libs/strutil/go.mod': goMod('example.com/strutil'),
    'libs/strutil/strutil.go': 'package strutil\n',
    'services/api/go.mod': goMod('example.com/api', '\nrequire (\n\texample.com/fork v0.0.0\n\texample.com/strutil v0.0.0\n)\n\nreplace example.com/strutil => ../../libs/strutil // shared\n\nreplace (\n\texample.com/fork => ./third_party/fork\n)\n'),
    'services/api/go.sum': '',
    'services/api/third_party/fork/go.mod': goMod('example.com/fork'),
    'services/api/main.go': MAIN_WITH_VERSION,
    'services/vendored/go.mod': goMod('example.com/vendored', '\nrequire example.com/retry v1.2.0\n'),
    'services/vendored/vendor/modules.txt': '# example.com/retry v1.2.0\n## explicit; go 1.19\nexample.com/retry\n',
    'services/vendored/main.go': MAIN_WITH_VERSION,
    'work/go.work': 'go 1.22\n\nuse (\n\t./app\n\t./greet\n\t./unused\n)\n',
    'work/app/go.mod': goMod('example.com/app', '\nrequire example.com/greet v0.0.0\n'),
    'work/app/main.go': MAIN_WITH_VERSION,
    'work/greet/go.mod': goMod('example.com/greet'),
    'work/unused/go.mod': goMod('example.com/unused'),
    'work/unused/go.sum': '',
    ...extra,
  });
}

const image = (context: string, props: Record<string, unknown> = {}) =>
  new GoStaticImage(Testing.chart(), 'image', { context, tag: 'v1', builderImage: 'golang:1.22@sha256:' + 'a'.repeat(64), ...props });

/** The build stage of a Dockerfile, from WORKDIR to the go build. */
const buildStage = (dockerfile: string) => dockerfile.slice(dockerfile.indexOf('WORKDIR'), dockerfile.indexOf('\nRUN mkdir'));

describe('vendor/', () => {
  test('a vendored module builds from vendor/ with -mod=vendor and no download step', () => {
    // GIVEN a module with vendor/modules.txt that agrees with go.mod
    const repo = monorepo();
    // WHEN
    const img = image(path.join(repo, 'services/vendored'));
    // THEN
    expect(img.layout).toMatchObject({ vendored: true, moduleDir: '.', inputs: ['.'] });
    expect(buildStage(img.renderDockerfile())).toMatchInlineSnapshot(`
"WORKDIR /src
COPY . .
ARG VERSION
RUN --mount=type=cache,id=goship-gobuild,sharing=shared,target=/root/.cache/go-build \\
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -mod=vendor -tags timetzdata -ldflags="-s -w -X main.version=\${VERSION}" -o /out/app ."
`);
  });

  test.each([
    ['a required version differs', '# example.com/retry v1.1.0\n## explicit\nexample.com/retry\n', /go.mod requires example.com\/retry v1.2.0, and vendor\/modules.txt has v1.1.0/],
    ['a requirement is missing', '', /does not list it as explicit/],
    ['it vendors a module go.mod no longer requires', '# example.com/retry v1.2.0\n## explicit\n# example.com/old v0.1.0\n## explicit\n', /lists example.com\/old as explicit, and go.mod no longer requires it/],
  ])('fails if vendor/ disagrees with go.mod: %s', (_, modulesTxt, why) => {
    const repo = monorepo({ 'services/vendored/vendor/modules.txt': modulesTxt });
    const make = () => image(path.join(repo, 'services/vendored'));
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(why);
    expect(make).toThrow(/^\[test\/image\] context: 'vendored\/vendor' — disagrees with go.mod: .* — run 'go mod vendor' in vendored and commit vendor\/$/);
  });
});

describe('local replace', () => {
  test('a replace to a folder inside the module keeps the module as the context and copies its go.mod for the download', () => {
    // GIVEN a module whose only local replacement is inside it
    const repo = monorepo({ 'services/api/go.mod': goMod('example.com/api', '\nrequire example.com/fork v0.0.0\n\nreplace example.com/fork => ./third_party/fork\n') });
    // WHEN
    const img = image(path.join(repo, 'services/api'));
    // THEN
    expect(img.contextDir).toBe(path.join(repo, 'services/api'));
    expect(img.layout.inputs).toEqual(['.']);
    expect(buildStage(img.renderDockerfile())).toContain('COPY go.mod go.sum ./\nCOPY third_party/fork/go.mod ./third_party/fork/\nRUN --mount=type=cache,id=goship-gomod,sharing=shared,target=/go/pkg/mod go mod download\nCOPY . .\n');
    expect(img.renderDockerignore()).not.toContain('!');
  });

  test('a replace to a folder outside the module makes the repository root the context, and the ignore file lets only the two modules in', () => {
    // GIVEN services/api replaces example.com/strutil with ../../libs/strutil
    const repo = monorepo();
    // WHEN
    const app = new GoshipApp({ outdir: path.join(repo, 'dist'), rootdir: repo });
    const img = new GoStaticImage(new Chart(app, 'mono'), 'api', { name: 'api', context: path.join(repo, 'services/api'), tag: 'v1', builderImage: 'golang:1.22@sha256:' + 'a'.repeat(64) });
    const files = app.renderFiles();
    // THEN
    expect(img.contextDir).toBe(repo);
    expect(img.layout).toMatchObject({ moduleDir: 'services/api', inputs: ['libs/strutil', 'services/api'] });
    expect(buildStage(img.renderDockerfile())).toMatchInlineSnapshot(`
"WORKDIR /src
COPY libs/strutil/go.mod ./libs/strutil/
COPY services/api/go.mod services/api/go.sum ./services/api/
COPY services/api/third_party/fork/go.mod ./services/api/third_party/fork/
WORKDIR /src/services/api
RUN --mount=type=cache,id=goship-gomod,sharing=shared,target=/go/pkg/mod go mod download
COPY . /src/
ARG VERSION
RUN --mount=type=cache,id=goship-gomod,sharing=shared,target=/go/pkg/mod --mount=type=cache,id=goship-gobuild,sharing=shared,target=/root/.cache/go-build \\
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -tags timetzdata -ldflags="-s -w -X main.version=\${VERSION}" -o /out/app ."
`);
    expect(img.renderDockerignore()).toMatchInlineSnapshot(`
"# Generated by goship. Do not edit.
*
!libs/strutil
!services/api
.git
**/.git
**/node_modules
**/*_test.go
**/Dockerfile*
**/*.dockerignore
"
`);
    const bake = JSON.parse(files.get('docker-bake.json')!);
    expect(bake.target.api).toMatchObject({ context: '.', dockerfile: 'dist/images/api/Dockerfile' });
  });

  test.each([
    ['the target does not exist', { 'services/api/go.mod': goMod('example.com/api', '\nreplace example.com/gone => ../gone\n') },
      /^\[test\/image\] context: 'go.mod: replace example.com\/gone => ..\/gone' — the replacement directory does not exist, so the module download fails — create ..\/gone \(relative to api\), or fix the path in go.mod$/],
    ['the target has no go.mod', { 'services/api/go.mod': goMod('example.com/api', '\nreplace example.com/x v1.0.0 => ../../libs\n') },
      /replace example.com\/x v1.0.0 => ..\/..\/libs' — the replacement directory has no go.mod, .* — run 'go mod init example.com\/x' in ..\/..\/libs$/],
    ['the line is malformed', { 'services/api/go.mod': goMod('example.com/api', '\nreplace example.com/x ../../libs\n') }, /is not a replace directive Go accepts/],
  ])('fails if a replace line is wrong: %s', (_, files, why) => {
    const repo = monorepo(files);
    expect(() => image(path.join(repo, 'services/api'))).toThrow(why);
  });

  test('a module path replacement is left to go', () => {
    const repo = monorepo({ 'services/api/go.mod': goMod('example.com/api', '\nreplace example.com/x => example.com/y v1.0.0\n') });
    expect(image(path.join(repo, 'services/api')).contextDir).toBe(path.join(repo, 'services/api'));
  });

  const shm = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').isDirectory() ? test : test.skip;
  shm('fails if the modules share no folder but /', () => {
    // GIVEN a module in the temporary folder that replaces one under /dev/shm
    const far = fs.mkdtempSync('/dev/shm/goship-far-');
    writeFiles(far, { 'go.mod': goMod('example.com/far') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-near-'));
    writeFiles(dir, { 'go.mod': goMod('example.com/near', `\nreplace example.com/far => ${far}\n`), 'main.go': MAIN_WITH_VERSION });
    // THEN
    expect(() => image(dir)).toThrow(/share no directory but \/, which cannot be a build context — move the replaced or workspace modules into the same repository as the module, or vendor them/);
    fs.rmSync(far, { recursive: true, force: true });
  });
});

describe('go.work workspaces', () => {
  test('the workspace folder is the context; the modules the build needs come whole, the others by their go.mod', () => {
    // GIVEN work/app requires example.com/greet; example.com/unused is in the workspace too
    const repo = monorepo();
    // WHEN
    const img = image(path.join(repo, 'work/app'));
    // THEN
    expect(img.contextDir).toBe(path.join(repo, 'work'));
    expect(img.layout).toMatchObject({
      moduleDir: 'app',
      workspace: 'go.work',
      moduleFiles: ['app/go.mod', 'go.work', 'greet/go.mod', 'unused/go.mod', 'unused/go.sum'],
      inputs: ['app', 'go.work', 'greet', 'unused/go.mod', 'unused/go.sum'],
    });
    expect(buildStage(img.renderDockerfile()).split('\nARG VERSION')[0]).toMatchInlineSnapshot(`
"WORKDIR /src
COPY . /src/
WORKDIR /src/app"
`);
  });

  test('in a workspace go build downloads, with the secrets mounted for it (go mod download fails on workspace modules there)', () => {
    const repo = monorepo();
    const text = image(path.join(repo, 'work/app'), { secrets: [BuildSecret.netrc()] }).renderDockerfile();
    expect(text).not.toContain('go mod download');
    expect(text).toContain('RUN --mount=type=cache,id=goship-gomod,sharing=shared,target=/go/pkg/mod --mount=type=cache,id=goship-gobuild,sharing=shared,target=/root/.cache/go-build --mount=type=secret,id=netrc,target=/root/.netrc,required=true \\\n    GOOS=');
  });

  test('fails if the module is in the workspace folder but not one of its modules', () => {
    const repo = monorepo({ 'work/stray/go.mod': goMod('example.com/stray'), 'work/stray/main.go': MAIN_WITH_VERSION });
    expect(() => image(path.join(repo, 'work/stray'))).toThrow(/is inside the workspace .*go.work but not one of its modules, so go refuses to build it — add it with 'go work use .\/stray'/);
  });

  test('fails if a use line names a folder without go.mod', () => {
    const repo = monorepo({ 'work/go.work': 'go 1.22\n\nuse ./app\nuse ./missing\n' });
    expect(() => image(path.join(repo, 'work/app'))).toThrow(/context: 'go.work: use .\/missing' — .* has no go.mod, so go cannot load the workspace/);
  });
});

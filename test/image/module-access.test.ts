import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { BuildSecret, GoshipApp, GoStaticImage, LinkValue, ValidationError } from '../../lib';
import { clearGitCache } from '../../lib/image/git';
import { headCommit, makeGoModule, MAIN_WITH_VERSION } from '../support/go-module';

beforeEach(() => clearGitCache());

const PINNED = `golang:1.22@sha256:${'a'.repeat(64)}`;

describe('private modules', () => {
  test('GOPROXY, GOPRIVATE, GONOSUMDB and GOFLAGS are set in the build stage, and the secrets are mounted for the download only', () => {
    // GIVEN
    const dir = makeGoModule({ files: { 'main.go': MAIN_WITH_VERSION, 'go.sum': '' } });
    // WHEN
    const image = new GoStaticImage(Testing.chart(), 'image', {
      context: dir, tag: 'v1', builderImage: PINNED,
      goProxy: 'https://goproxy.example.com,direct', goPrivate: ['git.example.com/*'], goNoSumDb: ['goproxy.example.com/*'], goFlags: ['-mod=mod', '-buildvcs=false'],
      secrets: [BuildSecret.netrc(), BuildSecret.gitConfig({ src: 'secrets/gitconfig' }), BuildSecret.ssh()],
    });
    // THEN
    const text = image.renderDockerfile();
    expect(text.slice(text.indexOf('ENV CGO'), text.indexOf('COPY . .'))).toMatchInlineSnapshot(`
"ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOMODCACHE=/go/pkg/mod GOCACHE=/root/.cache/go-build
ENV GOPROXY=https://goproxy.example.com,direct GOPRIVATE=git.example.com/* GONOSUMDB=goproxy.example.com/* GOFLAGS="-mod=mod -buildvcs=false"
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,id=goship-gomod,sharing=shared,target=/go/pkg/mod --mount=type=secret,id=netrc,target=/root/.netrc,required=true --mount=type=secret,id=gitconfig,target=/root/.gitconfig,required=true --mount=type=ssh,id=default,required=true go mod download
"
`);
    expect(text.match(/type=secret|type=ssh/g)).toHaveLength(3);
  });

  test('the bake file says where each secret comes from, never what it is', () => {
    // GIVEN
    const dir = makeGoModule();
    const app = new GoshipApp({ outdir: path.join(dir, 'dist'), rootdir: dir });
    new GoStaticImage(new Chart(app, 'c'), 'image', {
      name: 'api', context: dir, tag: 'v1', builderImage: PINNED,
      secrets: [BuildSecret.netrc(), BuildSecret.gitConfig({ id: 'git-auth', env: 'GIT_CONFIG_CONTENT' }), BuildSecret.ssh('github')],
    });
    // WHEN
    const bake = JSON.parse(app.renderFiles().get('docker-bake.json')!);
    // THEN
    expect(bake.target.api.secret).toEqual(['id=netrc,env=GOSHIP_SECRET_NETRC', 'id=git-auth,env=GIT_CONFIG_CONTENT']);
    expect(bake.target.api.ssh).toEqual(['github']);
  });

  test('an image without secrets has no secret or ssh entries in the bake file', () => {
    const dir = makeGoModule();
    const app = new GoshipApp({ outdir: path.join(dir, 'dist'), rootdir: dir });
    new GoStaticImage(new Chart(app, 'c'), 'image', { name: 'api', context: dir, tag: 'v1', builderImage: PINNED });
    const target = JSON.parse(app.renderFiles().get('docker-bake.json')!).target.api;
    expect(Object.keys(target).sort()).toEqual(['args', 'context', 'dockerfile', 'labels', 'platforms', 'tags']);
  });
});

describe('link-time values', () => {
  test('revision, version, commit date and literals reach -X through build args, never a $ in the props', () => {
    // GIVEN a module committed at a known date
    const dir = makeGoModule({ commitDate: '2026-11-28T10:04:05Z' });
    // WHEN
    const image = new GoStaticImage(Testing.chart(), 'image', {
      context: dir, builderImage: PINNED,
      linkValues: {
        'example.com/svc/internal/build.Commit': LinkValue.revision(),
        'main.date': LinkValue.commitDate(),
        'main.tag': LinkValue.version(),
        'main.edition': 'community edition',
      },
    });
    // THEN
    const text = image.renderDockerfile();
    expect(text).toContain('ARG COMMIT_DATE=2026-11-28T10:04:05Z\n');
    expect(text).toContain('ARG VERSION COMMIT_DATE REVISION\n');
    expect(text).toContain(`go build -trimpath -tags timetzdata -ldflags="-s -w -X main.version=\${VERSION} -X example.com/svc/internal/build.Commit=\${REVISION} -X main.date=\${COMMIT_DATE} -X 'main.edition=community edition' -X main.tag=\${VERSION}" -o /out/app .`);
    expect(image.buildArgs).toEqual({ VERSION: headCommit(dir).slice(0, 7), REVISION: headCommit(dir), COMMIT_DATE: '2026-11-28T10:04:05Z' });
  });

  test('without a link value that reads it, COMMIT_DATE is neither an arg nor a build arg', () => {
    const dir = makeGoModule();
    const image = new GoStaticImage(Testing.chart(), 'image', { context: dir, builderImage: PINNED });
    expect(image.renderDockerfile()).not.toContain('COMMIT_DATE');
    expect(Object.keys(image.buildArgs)).toEqual(['VERSION', 'REVISION']);
  });
});

describe('validation of the module props', () => {
  const dir = makeGoModule();
  const vendored = makeGoModule({ goMod: 'module example.com/v\n\ngo 1.22\n', files: { 'main.go': MAIN_WITH_VERSION, 'vendor/modules.txt': '' } });
  const cases: Array<[string, string, Record<string, unknown>, string, RegExp]> = [
    ['the proxy URL holds a credential', dir, { goProxy: 'https://ci:token@goproxy.example.com' }, 'goProxy', /'https:\/\/\*\*\*@goproxy.example.com\/' — holds a credential, .* pass it as a secret: secrets: \[BuildSecret.netrc\(\)\]/],
    ['the proxy is not a URL', dir, { goProxy: 'goproxy.example.com' }, 'goProxy', /is not a URL, 'direct' or 'off'/],
    ['the proxy is an ftp URL', dir, { goProxy: 'ftp://goproxy.example.com' }, 'goProxy', /is not an http\(s\) or file URL/],
    ['a GOPRIVATE pattern has a space', dir, { goPrivate: ['git example.com'] }, 'goPrivate', /module path patterns/],
    ['GONOSUMDB is a string', dir, { goNoSumDb: 'example.com' }, 'goNoSumDb', /must be a non-empty list/],
    ['a go flag has a space', dir, { goFlags: ['-tags=a b'] }, 'goFlags', /each one word/],
    ['a go flag is not a flag', dir, { goFlags: ['mod=mod'] }, 'goFlags', /list of go flags/],
    ['a secret is a string', dir, { secrets: ['netrc'] }, 'secrets', /must be a list of BuildSecret/],
    ['a secret is listed twice', dir, { secrets: [BuildSecret.netrc(), BuildSecret.netrc()] }, 'secrets', /is listed twice/],
    ['a vendored module sets a proxy', vendored, { goProxy: 'https://goproxy.example.com' }, 'goProxy', /is never used: the module has vendor\/modules.txt/],
    ['a vendored module mounts a secret', vendored, { secrets: [BuildSecret.netrc()] }, 'secrets', /is never used/],
    ['a vendored module sets -mod=mod', vendored, { goFlags: ['-mod=mod'] }, 'goFlags', /contradicts vendor\//],
    ['a link value literal has a $', dir, { linkValues: { 'main.x': '$HOME' } }, 'linkValues', /may not contain quotes, \$/],
    ['a link value is a number', dir, { linkValues: { 'main.x': 1 } }, 'linkValues.main.x', /not a LinkValue or a string/],
    ['a link variable is unqualified', dir, { linkValues: { commit: LinkValue.revision() } }, 'linkValues.commit', /package-qualified/],
    ['linkValues is a list', dir, { linkValues: [LinkValue.revision()] }, 'linkValues', /must map Go variables to values/],
  ];

  test.each(cases)('fails if %s', (_, context, props, prop, why) => {
    const make = () => new GoStaticImage(Testing.chart(), 'image', { context, tag: 'v1', ...props } as any);
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(why);
    expect(make).toThrow(`[test/image] ${prop}: `);
  });

  test('fails if a link value needs git and the module is in no repository', () => {
    const outside = makeGoModule({ git: false });
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: outside, tag: 'v1', linkValues: { 'main.commit': LinkValue.revision() } }))
      .toThrow(/linkValues: .* — LinkValue.revision\(\) needs git, and .* is not in a git work tree with a commit — commit the code, or use a literal/);
  });

  test.each([
    ['an unknown option, with the near miss', () => BuildSecret.netrc({ idd: 'x' } as any), /^secrets.idd: '\(hidden\)' — is not a prop of BuildSecret — did you mean 'id'\?$/],
    ['an id with upper case', () => BuildSecret.netrc({ id: 'NetRC' }), /^secrets.id: 'NetRC' — not a secret id/],
    ['an env name in lower case', () => BuildSecret.netrc({ env: 'netrc' }), /^secrets.env: 'netrc' — not an environment variable name/],
    ['an absolute src', () => BuildSecret.netrc({ src: '/home/me/.netrc' }), /^secrets.src: '\/home\/me\/.netrc' — must be a relative path/],
    ['both env and src', () => BuildSecret.gitConfig({ env: 'A', src: 'a' }), /^secrets.src: 'a' — is set together with env/],
    ['an ssh id with a comma', () => BuildSecret.ssh('a,b'), /^secrets: 'a,b' — not a secret id/],
  ])('BuildSecret fails if %s', (_, make, why) => {
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(why);
  });
});

import { POLICY_RULES, checkDockerfile } from '../../lib/policy';
import { GOOD_DOCKERFILE, PINNED_DOCKERFILE } from './fixtures';

const rulesOf = (text: string) => checkDockerfile(text).map((f) => f.rule);
/** GOOD_DOCKERFILE with `from` replaced by `to` (which must be there). */
const edit = (pairs: [string | RegExp, string][], base = PINNED_DOCKERFILE) => pairs.reduce((t, [from, to]) => {
  const next = t.replace(from, to);
  if (next === t) throw new Error(`not in the Dockerfile: ${String(from)}`);
  return next;
}, base);

const BUILD_LINE = /CGO_ENABLED=0 GOOS/;

/** [rule, what is wrong, the Dockerfile]. */
const failing: [string, string, string][] = [
  ['dockerfile/syntax', 'an instruction is misspelled', edit([['WORKDIR /src', 'WORKDIRR /src']])],
  ['dockerfile/syntax', 'there is no FROM', '# empty\n'],
  ['dockerfile/non-root-user', 'the final stage sets no USER', edit([['USER 65532:65532\n', '']])],
  ['dockerfile/non-root-user', 'USER is root', edit([['USER 65532:65532', 'USER root']])],
  ['dockerfile/non-root-user', 'USER is uid 0', edit([['USER 65532:65532', 'USER 0:0']])],
  ['dockerfile/non-root-user', 'USER is a name', edit([['USER 65532:65532', 'USER nonroot:nonroot']])],
  ['dockerfile/non-root-user', 'USER has no group', edit([['USER 65532:65532', 'USER 65532']])],
  ['dockerfile/non-root-user', 'USER is in group 0', edit([['USER 65532:65532', 'USER 65532:0']])],
  ['dockerfile/non-root-user', 'USER comes from a build argument without a default', edit([['USER 65532:65532', 'ARG UID\nUSER $UID:$UID']])],
  ['dockerfile/non-root-user', 'USER is set only in the build stage', edit([['USER 65532:65532\n', ''], ['WORKDIR /src', 'USER 65532:65532\nWORKDIR /src']])],
  ['dockerfile/cgo-disabled', 'go build runs without CGO_ENABLED on scratch', edit([['CGO_ENABLED=0 GOOS', 'GOOS']])],
  ['dockerfile/cgo-disabled', 'go build runs with CGO_ENABLED=1', edit([['CGO_ENABLED=0 GOOS', 'CGO_ENABLED=1 GOOS']])],
  ['dockerfile/cgo-disabled', 'ENV CGO_ENABLED=0 is overridden in the RUN', edit([['CGO_ENABLED=0 GOOS', 'CGO_ENABLED=1 GOOS'], ['WORKDIR /src', 'ENV CGO_ENABLED=0\nWORKDIR /src']])],
  ['dockerfile/cgo-disabled', 'CGO_ENABLED comes from a build argument', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['WORKDIR /src', 'ARG CGO_ENABLED\nWORKDIR /src']])],
  ['dockerfile/cgo-disabled', 'the runtime is distroless static', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['FROM scratch', 'FROM gcr.io/distroless/static-debian12:nonroot']])],
  ['dockerfile/cgo-disabled', 'the runtime is alpine', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['FROM scratch', 'FROM alpine:3.20']])],
  ['dockerfile/cgo-disabled', 'a go install in a heredoc has no CGO_ENABLED', edit([[/RUN --mount=type=cache,target=\/go\/pkg\/mod --mount[\s\S]*?-o \/out\/app \.\n/, 'RUN <<EOF\nset -e\nGOARCH=$TARGETARCH go install ./cmd/app\nEOF\n']])],
  ['dockerfile/cgo-disabled', 'an exec-form RUN runs sh -c with a go build without CGO_ENABLED', edit([[/RUN --mount=type=cache,target=\/go\/pkg\/mod --mount[\s\S]*?-o \/out\/app \.\n/, 'RUN ["/bin/sh", "-c", "GOARCH=$TARGETARCH go build -o /out/app ."]\n']])],
  ['dockerfile/static-link', 'a PIE build is copied into scratch', edit([['go build -trimpath', 'go build -buildmode=pie -trimpath']])],
  ['dockerfile/static-link', 'GOFLAGS asks for PIE', edit([['WORKDIR /src', 'ENV GOFLAGS=-buildmode=pie\nWORKDIR /src']])],
  ['dockerfile/static-link', 'the external linker links dynamically', edit([['-s -w -X', '-s -w -linkmode external -X']])],
  ['dockerfile/opaque-build', 'the build stage runs make', edit([[/RUN --mount=type=cache,target=\/go\/pkg\/mod --mount[\s\S]*?-o \/out\/app \.\n/, 'RUN make build\n']])],
  ['dockerfile/opaque-build', 'the build stage runs a script', edit([[/RUN --mount=type=cache,target=\/go\/pkg\/mod --mount[\s\S]*?-o \/out\/app \.\n/, 'RUN ./scripts/build.sh linux\n']])],
  ['dockerfile/cross-compile-target', 'the build on $BUILDPLATFORM sets no GOARCH', edit([['GOARCH=$TARGETARCH ', '']])],
  ['dockerfile/cross-compile-target', 'TARGETARCH is not declared in the stage', edit([['ARG TARGETOS TARGETARCH TARGETVARIANT\n', '']])],
  ['dockerfile/cross-compile-target', 'TARGETARCH is declared only before the first FROM', edit([['ARG TARGETOS TARGETARCH TARGETVARIANT\n', ''], ['# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\nARG TARGETARCH\n']])],
  ['dockerfile/base-image-tag', 'the builder is untagged', edit([[/golang:1\.19@sha256:a+/, 'golang']])],
  ['dockerfile/base-image-tag', 'the runtime base is tagged latest', edit([['FROM scratch', 'FROM alpine:latest']])],
  ['dockerfile/base-image-tag', 'a global ARG makes the base latest', edit([['# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\nARG RUNTIME=alpine:latest\n'], ['FROM scratch', 'FROM ${RUNTIME}']])],
  ['dockerfile/exec-form-no-shell', 'ENTRYPOINT is in shell form on scratch', edit([['ENTRYPOINT ["/app"]', 'ENTRYPOINT /app']])],
  ['dockerfile/exec-form-no-shell', 'CMD is in shell form on distroless', edit([['FROM scratch', 'FROM gcr.io/distroless/static-debian12:nonroot'], ['ENTRYPOINT ["/app"]', 'ENTRYPOINT ["/app"]\nCMD serve --port 8080']])],
  ['dockerfile/exec-form', 'ENTRYPOINT is in shell form on alpine', edit([['FROM scratch', 'FROM alpine:3.20'], ['ENTRYPOINT ["/app"]', 'ENTRYPOINT /app serve']])],
  ['dockerfile/pinned-builder-image', 'the builder has no digest', GOOD_DOCKERFILE],
  ['dockerfile/build-platform', 'the builder has no --platform', edit([['--platform=$BUILDPLATFORM ', '']])],
  ['dockerfile/build-platform', 'the builder is pinned to the target platform', edit([['--platform=$BUILDPLATFORM ', '--platform=$TARGETPLATFORM ']])],
];

/** [rule, variant that is still fine, the Dockerfile]. */
const passing: [string, string, string][] = [
  ['dockerfile/non-root-user', 'USER uses a global ARG redeclared in the stage', edit([['# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\nARG UID=10001\n'], ['USER 65532:65532', 'ARG UID\nUSER ${UID}:${UID}']])],
  ['dockerfile/non-root-user', 'USER is set in a stage the final stage builds on', edit([['FROM scratch', 'FROM scratch AS base\nUSER 65532:65532\nFROM base'], ['USER 65532:65532\nEXPOSE', 'EXPOSE']])],
  ['dockerfile/static-link', 'the external linker links statically', edit([['-s -w -X', "-s -w -linkmode external -extldflags '-static' -X"]])],
  ['dockerfile/static-link', 'a PIE build runs on debian', edit([['go build -trimpath', 'go build -buildmode=pie -trimpath'], ['FROM scratch', 'FROM debian:12-slim']])],
  ['dockerfile/opaque-build', 'make runs next to a visible go build', edit([['WORKDIR /src', 'WORKDIR /src\nRUN make generate']])],
  ['dockerfile/cgo-disabled', 'CGO_ENABLED=0 comes from ENV in the stage', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['WORKDIR /src', 'ENV CGO_ENABLED=0\nWORKDIR /src']])],
  ['dockerfile/cgo-disabled', 'CGO_ENABLED=0 comes from a parent stage', edit([[/FROM --platform=\$BUILDPLATFORM (\S+) AS build/, 'FROM --platform=$BUILDPLATFORM $1 AS go\nENV CGO_ENABLED=0\nFROM go AS build'], ['CGO_ENABLED=0 GOOS', 'GOOS']])],
  ['dockerfile/cgo-disabled', 'CGO_ENABLED=0 is exported earlier in the script', edit([['CGO_ENABLED=0 GOOS', 'export CGO_ENABLED=0 && GOOS']])],
  ['dockerfile/cgo-disabled', 'CGO_ENABLED=0 is an ARG default', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['WORKDIR /src', 'ARG CGO_ENABLED=0\nWORKDIR /src']])],
  ['dockerfile/cgo-disabled', 'go env -w set it in an earlier RUN', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['WORKDIR /src', 'RUN go env -w CGO_ENABLED=0\nWORKDIR /src']])],
  ['dockerfile/cgo-disabled', 'sh -c inherits CGO_ENABLED=0 set before it', edit([['CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} \\\n    go build -trimpath -ldflags="-s -w -X main.version=abc1234" -o /out/app .', 'CGO_ENABLED=0 sh -c "GOARCH=$TARGETARCH go build -o /out/app ."']])],
  ['dockerfile/cgo-disabled', 'the runtime has a C library (debian)', edit([['CGO_ENABLED=0 GOOS', 'GOOS'], ['FROM scratch', 'FROM debian:12-slim']])],
  ['dockerfile/cgo-disabled', 'the cgo build is in a stage the final image does not use', edit([['FROM scratch', 'FROM --platform=$BUILDPLATFORM golang:1.19 AS race\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build -race ./...\nFROM scratch']])],
  ['dockerfile/cgo-disabled', 'go build runs in the final alpine stage itself (its C library is there)', 'FROM alpine:3.20\nRUN apk add go gcc musl-dev\nCOPY . /src\nRUN cd /src && go build -o /app .\nUSER 10001:10001\nENTRYPOINT ["/app"]\n'],
  ['dockerfile/build-platform', 'a single-stage image builds where it runs', 'FROM golang:1.22\nCOPY . /src\nRUN cd /src && go build -o /app .\nUSER 10001:10001\nENTRYPOINT ["/app"]\n'],
  ['dockerfile/cross-compile-target', 'a builder without --platform needs no GOARCH', edit([['--platform=$BUILDPLATFORM ', ''], ['GOARCH=$TARGETARCH ', '']])],
  ['dockerfile/cross-compile-target', 'GOARCH comes from ENV', edit([['GOARCH=$TARGETARCH ', ''], ['WORKDIR /src', 'ENV GOARCH=$TARGETARCH\nWORKDIR /src']])],
  ['dockerfile/base-image-tag', 'the base comes from a build argument without a default', edit([['FROM scratch', 'ARG RUNTIME\nFROM ${RUNTIME}']])],
  ['dockerfile/exec-form', 'ENTRYPOINT and CMD are JSON', edit([['ENTRYPOINT ["/app"]', 'ENTRYPOINT ["/app"]\nCMD ["serve"]']])],
  ['dockerfile/exec-form-no-shell', 'a distroless debug image has a shell', edit([['FROM scratch', 'FROM gcr.io/distroless/static-debian12:debug'], ['ENTRYPOINT ["/app"]', 'ENTRYPOINT /app']])],
  ['dockerfile/pinned-builder-image', 'the runtime base has no digest (only build stages must pin)', edit([['FROM scratch', 'FROM alpine:3.20']])],
  ['dockerfile/build-platform', '--platform uses the ${BUILDPLATFORM} spelling', edit([['--platform=$BUILDPLATFORM ', '--platform=${BUILDPLATFORM} ']])],
];

describe('Dockerfile rules', () => {
  test('the goship default Dockerfile has one finding: the builder is not pinned by digest', () => {
    expect(checkDockerfile(GOOD_DOCKERFILE, 'Dockerfile')).toEqual([{
      rule: 'dockerfile/pinned-builder-image',
      severity: 'warning',
      file: 'Dockerfile',
      line: 2,
      message: "stage 'build' uses 'golang:1.19' without a digest — a tag can be re-pushed, so the compiler that builds the release can change without any change here — pin it, e.g. 'golang:1.19@sha256:…' (for a GoStaticImage: its builderImage prop)",
    }]);
    expect(checkDockerfile(PINNED_DOCKERFILE)).toEqual([]);
  });

  test.each(failing)('%s: fails if %s', (rule, _what, text) => {
    const found = checkDockerfile(text, 'Dockerfile').filter((f) => f.rule === rule);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].severity).toBe(POLICY_RULES.find((r) => r.id === rule)?.severity);
    expect(found[0].line).toBeGreaterThan(0);
    expect(found[0].message.split(' — ')).toHaveLength(3);
  });

  test.each(passing)('%s: passes when %s', (rule, _what, text) => {
    expect(rulesOf(text)).not.toContain(rule);
  });

  test('every Dockerfile rule has a failing case', () => {
    const ids = POLICY_RULES.filter((r) => r.target === 'dockerfile').map((r) => r.id);
    expect(ids.filter((id) => !failing.some((c) => c[0] === id))).toEqual([]);
  });

  test('the cgo finding points at the RUN and says what the container will do', () => {
    const [f] = checkDockerfile(edit([['CGO_ENABLED=0 GOOS', 'GOOS']])).filter((x) => x.rule === 'dockerfile/cgo-disabled');
    expect(f.line).toBe(GOOD_DOCKERFILE.split('\n').findIndex((l) => l.startsWith('RUN --mount=type=cache,target=/go/pkg/mod --mount')) + 1);
    expect(f.message).toContain("'exec /app: no such file or directory'");
    expect(BUILD_LINE.test(GOOD_DOCKERFILE)).toBe(true);
  });

  test('shell form on scratch is an error, not also a warning', () => {
    const rules = rulesOf(edit([['ENTRYPOINT ["/app"]', 'ENTRYPOINT /app']]));
    expect(rules).toContain('dockerfile/exec-form-no-shell');
    expect(rules).not.toContain('dockerfile/exec-form');
  });

  test('the fix for shell form is the exec form of the same command', () => {
    const [f] = checkDockerfile(edit([['FROM scratch', 'FROM alpine:3.20'], ['ENTRYPOINT ["/app"]', 'ENTRYPOINT /app serve --port "8080"']]))
      .filter((x) => x.rule === 'dockerfile/exec-form');
    expect(f.message).toMatch(/write it in exec form: ENTRYPOINT \["\/app","serve","--port","8080"\]$/);
  });

  test('a FROM without an image is one syntax error, not also a tag error', () => {
    expect(rulesOf('FROM\nUSER 1:1\n')).toEqual(['dockerfile/syntax']);
  });

  test('findings come in line order', () => {
    const lines = checkDockerfile('FROM golang AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nUSER nobody\nCMD /app\n').map((f) => f.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines.length).toBeGreaterThanOrEqual(5);
  });
});

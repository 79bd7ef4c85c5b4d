import { scopeAt, shellCommands, stagesInFinalImage } from '../../lib/policy/dockerfile-model';
import { expand, parseAssignments, parseDockerfile, splitWords } from '../../lib/policy/dockerfile-parse';

describe('parseDockerfile', () => {
  test('joins continuation lines, drops comments inside them and keeps the first line number', () => {
    const df = parseDockerfile([
      '# a comment',
      '',
      'FROM golang:1.22 AS Build',
      'RUN echo a \\',
      '  # a comment inside the continuation',
      '',
      '    && echo b',
      'CMD ["/app", "serve"]',
    ].join('\n'));
    expect(df.problems).toEqual([]);
    expect(df.stages).toHaveLength(1);
    expect(df.stages[0]).toMatchObject({ index: 0, name: 'build', image: 'golang:1.22', line: 3 });
    const [run, cmd] = df.stages[0].instructions;
    expect(run).toMatchObject({ keyword: 'RUN', args: 'echo a     && echo b', line: 4 });
    expect(run.exec).toBeUndefined();
    expect(cmd).toMatchObject({ keyword: 'CMD', exec: ['/app', 'serve'], line: 8 });
  });

  test('reads flags, keeping repeated ones in order', () => {
    const df = parseDockerfile('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=cache,target=/a --mount=type=secret,id=x --network=none go build .\n');
    expect(df.stages[0].platform).toBe('$BUILDPLATFORM');
    expect(df.stages[0].instructions[0]).toMatchObject({
      flags: [{ name: 'mount', value: 'type=cache,target=/a' }, { name: 'mount', value: 'type=secret,id=x' }, { name: 'network', value: 'none' }],
      args: 'go build .',
    });
  });

  test('honours the escape directive', () => {
    const df = parseDockerfile('# escape=`\nFROM scratch\nCOPY a `\n  b /\n');
    expect(df.stages[0].instructions[0].args).toBe('a   b /');
  });

  test('reads heredoc bodies and continues after them', () => {
    const df = parseDockerfile('FROM golang:1.22\nRUN <<EOF\nset -e\nCGO_ENABLED=0 go build -o /app .\nEOF\nUSER 1:1\n');
    const [run, user] = df.stages[0].instructions;
    expect(run.heredocs).toEqual(['set -e\nCGO_ENABLED=0 go build -o /app .']);
    expect(user).toMatchObject({ keyword: 'USER', line: 6 });
  });

  test('treats broken JSON as shell form, as BuildKit does', () => {
    const df = parseDockerfile("FROM scratch\nENTRYPOINT ['/app']\n");
    expect(df.stages[0].instructions[0].exec).toBeUndefined();
  });

  test('collects global ARGs before the first FROM', () => {
    const df = parseDockerfile('ARG GO=1.22 BASE="scratch"\nARG FLAG\nFROM golang:${GO}\n');
    expect([...df.globalArgs]).toEqual([['GO', '1.22'], ['BASE', 'scratch'], ['FLAG', undefined]]);
  });

  test('fails if an instruction is unknown, comes before FROM, or there is no FROM', () => {
    expect(parseDockerfile('FORM golang\n').problems).toEqual([{ line: 1, message: "unknown instruction 'FORM'" }]);
    expect(parseDockerfile('RUN true\nFROM scratch\n').problems).toEqual([{ line: 1, message: 'RUN before the first FROM (only ARG may come before it)' }]);
    expect(parseDockerfile('# nothing\n').problems).toEqual([{ line: 1, message: 'no FROM: a Dockerfile needs at least one stage' }]);
  });

  test('accepts CRLF line ends', () => {
    const df = parseDockerfile('FROM scratch\r\nUSER 1:1\r\n');
    expect(df.stages[0].instructions[0].args).toBe('1:1');
  });
});

describe('words, assignments and variables', () => {
  test('splitWords honours quotes and escapes', () => {
    expect(splitWords(`a "b c" 'd "e"' f\\ g -ldflags="-s -w"`)).toEqual(['a', 'b c', 'd "e"', 'f g', '-ldflags=-s -w']);
  });

  test('parseAssignments reads ARG, ENV and the legacy ENV form', () => {
    expect([...parseAssignments('A B=1 C="x y"', false)]).toEqual([['A', undefined], ['B', '1'], ['C', 'x y']]);
    expect([...parseAssignments('CGO_ENABLED 0', true)]).toEqual([['CGO_ENABLED', '0']]);
  });

  test('expand substitutes known values, keeps build-time ones and reports undeclared ones', () => {
    const vars = new Map<string, string | undefined>([['V', 'v1.2'], ['TARGETARCH', undefined], ['E', '']]);
    expect(expand('${V}-$V-${V#v}-${V%.2}-${E:-d}-${X:-dflt}-\\$V', vars)).toEqual({ text: 'v1.2-v1.2-1.2-v1-d-dflt-$V', undeclared: [], dynamic: false });
    expect(expand('$TARGETARCH', vars)).toEqual({ text: '$TARGETARCH', undeclared: [], dynamic: true });
    expect(expand('a${MISSING}b', vars)).toEqual({ text: 'ab', undeclared: ['MISSING'], dynamic: false });
  });

  test('shellCommands sees prefixes, exports, env and keywords', () => {
    const cmds = shellCommands('set -e; export GOOS=linux; if [ -n "$X" ]; then export GOARM=7; fi; CGO_ENABLED=0 env GOARCH=arm go build -ldflags="-s; -w" . && go vet ./...');
    const build = cmds.find((c) => c.argv[1] === 'build');
    expect(build?.argv).toEqual(['go', 'build', '-ldflags=-s; -w', '.']);
    expect(Object.fromEntries(build?.env ?? [])).toEqual({ GOOS: 'linux', GOARM: '7', CGO_ENABLED: '0', GOARCH: 'arm' });
    expect(shellCommands(`GOOS=linux bash -c 'cd /src && GOARCH=arm64 go build .'`)).toEqual([
      { env: new Map([['GOOS', 'linux']]), argv: ['cd', '/src'] },
      { env: new Map([['GOOS', 'linux'], ['GOARCH', 'arm64']]), argv: ['go', 'build', '.'] },
    ]);
    const vet = cmds.find((c) => c.argv[1] === 'vet');
    expect(Object.fromEntries(vet?.env ?? [])).toEqual({ GOOS: 'linux', GOARM: '7' });
  });
});

describe('stages', () => {
  const df = parseDockerfile([
    'ARG BASE=golang:1.22',
    'FROM ${BASE} AS base',
    'ENV CGO_ENABLED=0',
    'ARG ONLY_HERE=1',
    'FROM base AS build',
    'ARG TARGETARCH',
    'ENV GOARCH=$TARGETARCH',
    'RUN go env -w GOFLAGS=-mod=mod',
    'RUN go build -o /app .',
    'FROM golang:1.22 AS test',
    'RUN go test ./...',
    'FROM alpine:3.20 AS tools',
    'FROM scratch',
    'COPY --from=build /app /app',
    'COPY --from=3 /bin/busybox /busybox',
  ].join('\n'));

  test('the final image takes from its FROM chain and every --from source', () => {
    expect(stagesInFinalImage(df).map((s) => s.name ?? s.index)).toEqual(['base', 'build', 'tools', 4]);
  });

  test('a RUN sees ENV from the parent stage, its own ARGs, and go env -w', () => {
    const build = df.stages[1];
    const scope = scopeAt(df, build, 3);
    expect(scope.vars.get('CGO_ENABLED')).toBe('0');
    expect(scope.vars.has('ONLY_HERE')).toBe(false);
    expect(scope.vars.has('GOARCH')).toBe(true);
    expect(scope.vars.get('GOARCH')).toBeUndefined();
    expect(scope.goEnv.get('GOFLAGS')).toBe('-mod=mod');
  });
});

import { goBuildCommand, ldflagWords, linkBuildArgs } from '../../lib/render/go-build';

describe('go build', () => {
  test('the command is static-friendly: -trimpath, tags, -s -w and the version', () => {
    expect(goBuildCommand({ main: './cmd/api', tags: ['netgo', 'timetzdata'], versionVariable: 'main.version', stripSymbols: true, ldflags: ["-X 'main.greeting=hi there'"] }))
      .toBe("go build -trimpath -tags netgo,timetzdata -ldflags=\"-s -w -X main.version=${VERSION} -X 'main.greeting=hi there'\" -o /out/app ./cmd/api");
    expect(goBuildCommand({ main: '.', tags: [], stripSymbols: false, ldflags: [] })).toBe('go build -trimpath -o /out/app .');
  });

  test('link values read their build args from the shell, literals as written', () => {
    const spec = {
      main: '.', tags: [], stripSymbols: false, ldflags: [],
      linkValues: { 'main.commit': { buildArg: 'REVISION' as const }, 'main.date': { buildArg: 'COMMIT_DATE' as const }, 'main.edition': { literal: 'community edition' } },
    };
    expect(goBuildCommand(spec)).toBe("go build -trimpath -ldflags=\"-X main.commit=${REVISION} -X main.date=${COMMIT_DATE} -X 'main.edition=community edition'\" -o /out/app .");
    expect(linkBuildArgs(spec)).toEqual(['COMMIT_DATE', 'REVISION']);
    expect(ldflagWords({ ...spec, versionVariable: 'main.version' }, (arg) => arg.toLowerCase()))
      .toEqual(['-X main.version=version', '-X main.commit=revision', '-X main.date=commit_date', "-X 'main.edition=community edition'"]);
  });
});

/**
 * The API report: what each entry point of the package declares, as api-extractor writes it
 * into `api/<entry>.api.md`.
 *
 *   ts-node scripts/api-report.ts          write the reports (after an intended API change)
 *   ts-node scripts/api-report.ts --check  fail when the API differs from the checked-in reports
 *
 * The package is compiled as it ships (tsconfig.build.json, stripInternal) into .cache/api-dts
 * first; its source maps must carry their sources, since the package ships no lib/.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const ROOT = path.resolve(__dirname, '..');
const DTS = path.join(ROOT, '.cache', 'api-dts');

/** Report name → declaration entry point, one per `exports` subpath of package.json. */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  'goship': 'index.d.ts',
  'goship-policy': 'policy/index.d.ts',
  'goship-verify': 'verify/index.d.ts',
  'goship-sbom': 'sbom/index.d.ts',
  'goship-pin': 'pin/index.d.ts',
  'goship-publish': 'publish/index.d.ts',
  'goship-pulumi': 'pulumi/index.d.ts',
  'goship-cdk8s-plus': 'interop/cdk8s-plus.d.ts',
};

function main(check: boolean): number {
  fs.rmSync(DTS, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', DTS], { cwd: ROOT, stdio: 'inherit' });
  let failed = unresolvedSourceMaps(DTS);
  for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
    const config = ExtractorConfig.prepare({
      configObjectFullPath: path.join(ROOT, 'api', 'api-extractor.json'),
      packageJsonFullPath: path.join(ROOT, 'package.json'),
      configObject: {
        projectFolder: ROOT,
        mainEntryPointFilePath: path.join(DTS, entry),
        compiler: { overrideTsconfig: { compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, skipLibCheck: true, types: ['node'] }, files: [path.join(DTS, entry)] } },
        apiReport: { enabled: true, reportFileName: name, reportFolder: path.join(ROOT, 'api'), reportTempFolder: path.join(ROOT, '.cache', 'api-report') },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          extractorMessageReporting: {
            'default': { logLevel: ExtractorLogLevel.Warning },
            'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
            // A type an entry point uses but does not export is named in the report; it must be
            // one another entry point exports (goship/verify uses goship's Platform), or the
            // check below fails.
            'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
            'ae-undocumented': { logLevel: ExtractorLogLevel.None },
            'ae-unresolved-link': { logLevel: ExtractorLogLevel.None },
          },
          tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
          compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
        },
      },
    });
    const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
    if (!result.succeeded) {
      failed++;
      const why = result.apiReportChanged
        ? `the API of ${name} changed: review the difference above, then run npm run api to update api/${name}.api.md`
        : `${result.errorCount} error(s), ${result.warningCount} warning(s)`;
      process.stderr.write(`api report ${name}: ${why}\n`);
    }
  }
  failed += unexportedTypes(path.join(ROOT, 'api'));
  return failed === 0 ? 0 : 1;
}

/**
 * Counts the types an entry point uses that no entry point exports: a user could not name
 * them. (api-extractor sees one entry point at a time, so it also names the types another
 * entry point exports, such as goship's Platform in goship/verify; those are fine.)
 */
export function unexportedTypes(dir: string): number {
  const reports = Object.keys(ENTRY_POINTS).map((name) => ({ name, text: fs.readFileSync(path.join(dir, `${name}.api.md`), 'utf8') }));
  const exported = new Set(reports.flatMap((r) => [...r.text.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum|namespace) (\w+)/gm)].map((m) => m[1])));
  let bad = 0;
  for (const r of reports) {
    for (const [, symbol] of r.text.matchAll(/\(ae-forgotten-export\) The symbol "(\w+)"/g)) {
      if (!exported.has(symbol)) {
        process.stderr.write(`api report ${r.name}: uses ${symbol}, which no entry point exports: export it where it belongs, or mark what uses it @internal\n`);
        bad++;
      }
    }
  }
  return bad;
}

/**
 * Counts the source maps of the build that would not resolve for a user of the package: the
 * package ships out/ only, so every map must carry its sources' text.
 */
function unresolvedSourceMaps(dir: string): number {
  let bad = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(fs.readFileSync(path.join(dir, entry), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    if (map.sources.length === 0 || map.sources.some((_, i) => typeof map.sourcesContent?.[i] !== 'string')) {
      process.stderr.write(`source map ${entry}: a source without its text (the package has no lib/): set inlineSources in tsconfig.build.json\n`);
      bad++;
    }
  }
  return bad;
}

if (require.main === module) {
  process.exitCode = main(process.argv.includes('--check'));
}

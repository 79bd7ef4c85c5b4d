import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { resolvePlain11 } from '../../lib/model/yaml11';
import { stringifyManifests } from '../../lib/output/manifest-yaml';
import { IN_CI } from './tools';

/**
 * goship's YAML against kubectl's own reader: scripts/tools/yaml11, built from
 * sigs.k8s.io/yaml and k8s.io/apimachinery's document splitter (what `kubectl apply -f`
 * runs). Every string the writer is given reads back identical, and goship's YAML 1.1
 * resolver (which `goship check` and the unit tests use) agrees with go-yaml v2.
 */
const bin = execFileSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'e2e-setup.sh'), 'bin'], { encoding: 'utf8' }).trim();
const tool = path.join(bin, 'yaml11');
const present = fs.existsSync(tool);
if (!present && IN_CI) {
  throw new Error(`${tool} is missing: run bash scripts/e2e-setup.sh tools yaml11`);
}
const describeE2E = present ? describe : describe.skip;

/** The documents of `text` as kubectl reads them (JSON, or { error }). */
function kubectlRead(text: string): unknown[] {
  return execFileSync(tool, { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// One seed for the samples, so a run in CI is the run here; GOSHIP_FC_SEED explores others.
const SEED = Number(process.env.GOSHIP_FC_SEED ?? 20261207);

const hostile = fc.oneof(
  fc.constantFrom('yes', 'No', 'on', 'OFF', 'y', 'N', '~', 'null', '0o17', '0X1F', '0B11', '017', '08', '1_000', '0x_1', '+12', '.5', '1e3', '.inf',
    '2001-12-14', '1:20', '<<', '---', '...', '- a', '? x', '# c', 'a: b', '%TAG', '@x', '!x', '&a', '*a', '|', '>', 'a\u2028b', 'a\u2029b',
    'a\u0085b', 'x\u0000y', '\ufeffbom', 'tab\there', 'line\nbreak', 'trail ', ' lead', '\r\n', 'a\n---\nb', '\u001b[31m', '9223372036854775808'),
  fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !LONE.test(s)),
  fc.string({ unit: fc.constantFrom(...'0123456789_xXoObBeE+-.:yesnoYN \n\t#\'"\u0085\u2028'.split('')), maxLength: 10 }),
);

describeE2E('YAML as kubectl reads it (go-yaml v2 through sigs.k8s.io/yaml)', () => {
  test('every string goship writes, as value, key or list item, reads back identical', () => {
    const batches = fc.sample(fc.array(fc.tuple(hostile, hostile), { minLength: 20, maxLength: 20 }), { numRuns: 40, seed: SEED });
    for (const batch of batches) {
      const docs = batch.map(([k, v]) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n', annotations: { [`a/${k}`]: v } }, data: { [k]: v }, list: [v, [k]] }));
      expect(kubectlRead(stringifyManifests(docs))).toEqual(docs);
    }
  });

  test("goship check's YAML 1.1 resolver agrees with go-yaml v2 on plain scalars", () => {
    const plain = fc.string({ unit: fc.constantFrom(...'0123456789_xXoObBeE+-.:yesnoYNtrufalTRUFAL~'.split('')), minLength: 1, maxLength: 8 });
    const scalars = [...new Set([...fc.sample(plain, { numRuns: 3000, seed: SEED }), '.7_6', '.5e1_0', '._7', '.7_', 'yes', 'On', '0o17', '0X1F', '0B11', '017', '08', '1_000', '+12', '-0x10', '.5', '1e3', '2001-12-14', '1:20', '0x'])]
      // Not plain scalars at all in YAML: indicators or a key, leave them out.
      .filter((s) => !/^[-?:,[\]{}#&*!|>'"%@`]|: | #|:$/.test(s));
    const read = kubectlRead(scalars.map((s) => `v: ${s}\n`).join('---\n')) as { v?: unknown; error?: string }[];
    const disagree = scalars.map((s, i) => ({ s, go: read[i].error ?? read[i].v, js: resolvePlain11(s) })).filter((r) => !Object.is(r.go, r.js) && JSON.stringify(r.go) !== JSON.stringify(r.js));
    expect(disagree).toEqual([]);
  });
});

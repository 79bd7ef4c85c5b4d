import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import * as jsYaml from 'js-yaml';
import { GoshipApp, Platform, RollingDeployment } from '../../lib';
import { KUBECTL_SCHEMA } from '../../lib/model/yaml11';
import { stringifyManifests } from '../../lib/output/manifest-yaml';

/**
 * Every string the writer is given reads back identical the way kubectl reads manifests: the
 * Kubernetes `---` splitter (a line that is `---`), then each document through a YAML 1.1
 * reader with go-yaml v2's scalars (KUBECTL_SCHEMA; the e2e suite checks that reader
 * against go-yaml v2 itself).
 */
function readAsKubectl(text: string): unknown[] {
  return text.split(/^---[ \t]*$/m).map((doc) => jsYaml.load(doc, { schema: KUBECTL_SCHEMA })).filter((d) => d !== undefined && d !== null);
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Strings that stress YAML 1.1: its number and boolean spellings, breaks, indicators, controls. */
const hostile = fc.oneof(
  fc.constantFrom('yes', 'No', 'on', 'OFF', 'y', 'N', '~', 'null', '0o17', '0X1F', '0B11', '017', '1_000', '0x_1', '+12', '.5', '1e3', '.inf',
    '2001-12-14', '1:20', '<<', '---', '...', '- a', '? x', '# c', 'a: b', '"q"', "'s'", '%TAG', '@x', '`x`', '!x', '&a', '*a', '|', '>', 'a\u2028b',
    'a\u2029b', 'a\u0085b', 'x\u0000y', '\ufeffbom', 'tab\there', '\t\nyN', 'a\n\tb', 'line\nbreak', 'trail ', ' lead', '\r\n', 'a\n---\nb', '\u001b[31m'),
  fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !LONE.test(s)),
  fc.string({ unit: fc.constantFrom(...'0123456789_xXoObBeE+-.:yesnoYN \n\t#\'"\u0085\u2028'.split('')), maxLength: 12 }),
);

const manifest = (key: string, value: string, annotation: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'n', annotations: { [`a.example/${key}`]: annotation } },
  data: { [key]: value },
  list: [value, [annotation]],
});

describe('the manifest writer as kubectl reads it', () => {
  test('every string (values, keys, list items) reads back identical', () => {
    fc.assert(fc.property(hostile, hostile, hostile, (key, value, annotation) => {
      const docs = [manifest(key, value, annotation), manifest(value, annotation, key)];
      expect(readAsKubectl(stringifyManifests(docs))).toEqual(docs);
    }), { numRuns: 2000 });
  });

  test.each(['0o17', '0X1F', '0B11', 'yes', 'on', '017', '1_000'])('writes %j quoted, as kubectl would read it as a number or boolean', (s) => {
    const text = stringifyManifests([{ kind: 'ConfigMap', metadata: { name: s, namespace: s }, data: { [s]: s } }]);
    expect(text).toContain(`"${s}": "${s}"`);
    expect(readAsKubectl(text)).toEqual([{ kind: 'ConfigMap', metadata: { name: s, namespace: s }, data: { [s]: s } }]);
  });

  test.each(['a\u2028b', 'a\u2029b', 'a\u0085b'])('escapes the YAML 1.1 line break in %j', (s) => {
    const text = stringifyManifests([{ kind: 'ConfigMap', data: { v: s } }]);
    expect(text).toMatch(/v: "a\\u(2028|2029|0085)b"/);
    expect(readAsKubectl(text)).toEqual([{ kind: 'ConfigMap', data: { v: s } }]);
  });

  test('fails if a string holds a lone surrogate, which no UTF-8 file can hold', () => {
    expect(() => stringifyManifests([{ kind: 'ConfigMap', data: { v: 'a\ud800b' } }])).toThrow(/lone UTF-16 surrogate \(\\ud800\) at index 1/);
  });
});

describe('synth output as kubectl reads it', () => {
  test('env values, args and annotations in YAML 1.1 spellings or with line separators read back identical', () => {
    // GIVEN a deployment whose strings kubectl would misread if written plain or raw
    const app = new GoshipApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'goship-yaml11-')), warn: () => undefined });
    const chart = new Chart(app, 'hello', { namespace: '0o17' });
    const env = { MODE: '0o17', HEX: '0X1F', BIN: '0B11', FLAG: 'on', NEL: 'a\u0085b', LS: 'a\u2028b', PS: 'a\u2029b' };
    new RollingDeployment(chart, 'hello', {
      image: { imageRef: 'registry.example.com/team/hello:1a2b3c4', port: 8080, uid: 65532, gid: 65532, platforms: [Platform.LINUX_AMD64] },
      env, args: ['--mode', '0B11', 'x\u2028y'],
    });
    // WHEN
    app.synth();
    // THEN kubectl reads what was given
    const objects = readAsKubectl(fs.readFileSync(path.join(app.outdir, 'hello.k8s.yaml'), 'utf8')) as any[];
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment.metadata.namespace).toBe('0o17');
    const container = deployment.spec.template.spec.containers[0];
    expect(Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toMatchObject(env);
    expect(container.args).toEqual(['--mode', '0B11', 'x\u2028y']);
  });
});

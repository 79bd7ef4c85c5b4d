import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as jsYaml from 'js-yaml';
import { KUBECTL_SCHEMA } from '../../lib/model/yaml11';
import { stringifyManifests } from '../../lib/output/manifest-yaml';

/** Strings YAML 1.1 and 1.2 read as something else, or that need quoting or a block. */
const TRICKY = [
  '', ' ', 'y', 'Y', 'n', 'N', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'Null', '~', 'NULL',
  '0', '-1', '+1', '0775', '0o17', '0x1F', '0b101', '1_000', '1:20', '190:20:30', '1.5', '.5', '1e3', '.inf', '-.Inf', '.nan', 'NaN',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '-', '?', ':', '- x', '? x', 'a: b', 'a:', 'a #b', 'a#b', '#x', '&x', '*x', '!x',
  '|', '>', "'x'", '"x"', '%x', '@x', '`x', ',x', '[x]', '{x}', 'x ', ' x', '\tx', 'a\nb', 'a\n', '\n', 'a\r\nb', '---', '--- x', '...',
  'x---', 'é', '日本', '😀', '\u0007', '\u007f', '\u0085', 'a\\b', 'it\'s', 'say "hi"', 'http://example.com:8080/x',
  'registry.example.com/team/hello@sha256:0123abcd', 'hello-env', 'app.kubernetes.io/name', 'x'.repeat(1100),
  'hello from goship', 'Yes please', 'a b', 'a  b', 'a b ', 'a # b', 'a b: c', 'on off', 'null value',
  '33350057b6e5c321', '0c46d38', '0b1c', '0x1g', '0o8z', '1e5', '1e5z', '12h', '0775a', '123', '1_2a', '1.5a', '10m',
];

const scalar = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.stringMatching(/^[A-Za-z0-9._/@:# -]{0,12}$/),
  fc.stringMatching(/^[A-Za-z][a-z._/@-]{0,3}(?: [A-Za-z0-9.#:_-]{0,4}){0,3} ?$/),
  fc.stringMatching(/^[-+.]?[0-9][0-9a-fA-FxXoObBeE._:+-]{0,9}$/),
  fc.stringMatching(/^[0-9][0-9a-z]{0,7}$/),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.constantFrom(...TRICKY), fc.string(), fc.stringMatching(/^[A-Za-z0-9._/@:-]{1,10}$/));

const { value: json } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  list: fc.array(tie('value'), { maxLength: 4 }),
}));
const doc = fc.dictionary(key, json, { minKeys: 1, maxKeys: 6 });

/** The documents as kubectl reads `text`: the `---` splitter, then YAML 1.1 scalars (go-yaml v2). */
function readsBack(text: string, docs: readonly unknown[]): boolean {
  const want = docs.map((d) => JSON.stringify(d, (_k, v: unknown) => (v === undefined ? null : v)) ?? 'null');
  // go-yaml v2 refuses raw non-printable characters and reads U+0085, U+2028 and U+2029 as line breaks.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(text)) {
    return false;
  }
  try {
    const got = text.split(/^---[ \t]*$/m).map((d) => JSON.stringify(jsYaml.load(d, { schema: KUBECTL_SCHEMA }) ?? null));
    return JSON.stringify(got) === JSON.stringify(want);
  } catch {
    return false;
  }
}

/**
 * What cdk8s' Yaml.stringify writes, byte for byte, except where kubectl (YAML 1.1) would
 * misread cdk8s' text: there goship's text differs, and kubectl reads it as written.
 */
function expectCdk8sOrSafer(docs: readonly unknown[]): void {
  const ours = stringifyManifests(docs);
  const theirs = Yaml.stringify(...docs);
  if (ours !== theirs) {
    expect(readsBack(theirs, docs)).toBe(false);
    expect(readsBack(ours, docs)).toBe(true);
  }
}

describe('stringifyManifests', () => {
  test('writes exactly what cdk8s Yaml.stringify writes, for any JSON documents', () => {
    fc.assert(fc.property(fc.array(fc.oneof(doc, json), { maxLength: 3 }), (docs) => {
      expectCdk8sOrSafer(docs);
    }), { numRuns: 1000 });
  });

  test('writes exactly what cdk8s writes for every tricky scalar, as key and as value, at every depth', () => {
    for (const s of TRICKY) {
      const docs = [
        { [s]: s },
        { a: { [s]: [s, { [s]: s }, [s, [s]]] } },
        { a: [{ b: s, [s]: 1 }, [[s]]] },
      ];
      expectCdk8sOrSafer(docs);
    }
  });

  test('writes shared objects, undefined and odd values as cdk8s does', () => {
    const shared = { x: 1 };
    const docs: unknown[] = [
      { a: shared, b: shared },
      { a: undefined, b: [undefined, null, -0, NaN, Infinity, 1e21, 0.1, 2 ** 60] },
      { a: [1.5, '1.5', '1.5 number', -0, '-0', '-0 number', NaN, 'NaN', 1e21, '1e+21'] },
      undefined,
      { date: new Date(0), map: new Map([['a', 1]]) },
      [1, 2],
      'just a string',
      {},
    ];
    expectCdk8sOrSafer(docs);
  });

  test('writes a manifest itself: the YAML library only sees single scalars it has not seen before', () => {
    const spy = jest.spyOn(Yaml, 'stringify');
    try {
      const objects = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello-env' }, data: { A: 'yes', B: 'yes', C: '8080' } }];
      expect(stringifyManifests(objects)).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello-env\ndata:\n  A: "yes"\n  B: "yes"\n  C: "8080"\n');
      for (const [arg] of spy.mock.calls) {
        expect(Object.keys(arg as object)).toEqual(['a']);
      }
      spy.mockClear();
      stringifyManifests(objects);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('writes a Kubernetes Deployment as cdk8s does', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { labels: { 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/version': '1a2b3c4' }, name: 'hello' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'hello' } },
        template: {
          metadata: { annotations: { 'goship.dev/env-hash': '0123456789' }, labels: { 'app.kubernetes.io/name': 'hello' } },
          spec: {
            containers: [{
              image: 'registry.example.com/team/hello:1a2b3c4',
              name: 'hello',
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { limits: { memory: '128Mi' }, requests: { cpu: '50m' } },
              securityContext: { capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsUser: 65532 },
            }],
            nodeSelector: {},
            volumes: [{ emptyDir: { sizeLimit: '64Mi' }, name: 'tmp' }],
          },
        },
      },
    };
    expect(stringifyManifests([deployment, { apiVersion: 'v1', kind: 'ConfigMap', data: { GREETING: 'yes', PORT: '8080' } }]))
      .toBe(Yaml.stringify(deployment, { apiVersion: 'v1', kind: 'ConfigMap', data: { GREETING: 'yes', PORT: '8080' } }));
  });
});

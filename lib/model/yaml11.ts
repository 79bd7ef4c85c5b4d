import * as jsYaml from 'js-yaml';

/**
 * Plain YAML scalars read as `kubectl apply`, Argo CD and Flux read them: `sigs.k8s.io/yaml`
 * over go-yaml v2, which follows YAML 1.1 (`yes`, `on`, `y` are true; `0o17`, `0X1F`, `017`,
 * `0b11` and `1_000` are integers) and turns the result into JSON for the API server.
 * Timestamps stay strings, as go-yaml v2 keeps them when decoding into JSON values.
 */

/** A plain scalar's value as go-yaml v2 resolves it. */
export type Yaml11Value = string | number | boolean | null;

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']);
const NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOAT = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map((s): [string, number] => [s, NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s): [string, number] => [s, Infinity]),
  ...['-.inf', '-.Inf', '-.INF'].map((s): [string, number] => [s, -Infinity]),
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseInt(s, 0, 64) accepts: sign, then 0x, 0o, 0b, a leading 0 (octal) or decimal. */
const GO_INT = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** go-yaml v2 tries a plain scalar as a timestamp before a number (and keeps it a string). */
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$/;

function goInt(s: string): bigint | undefined {
  const m = GO_INT.exec(s);
  if (!m) {
    return undefined;
  }
  const body = m[2];
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) {
    v = BigInt(`0${body[1].toLowerCase()}${body.slice(2)}`);
  } else if (body.length > 1 && body[0] === '0') {
    v = BigInt(`0o${body.slice(1)}`);
  } else {
    v = BigInt(body);
  }
  return m[1] === '-' ? -v : v;
}

/** The value go-yaml v2 gives a plain (unquoted, untagged) scalar. */
export function resolvePlain11(s: string): Yaml11Value {
  if (TRUE.has(s)) {
    return true;
  }
  if (FALSE.has(s)) {
    return false;
  }
  if (NULL.has(s)) {
    return null;
  }
  if (SPECIAL_FLOAT.has(s)) {
    return SPECIAL_FLOAT.get(s)!;
  }
  const c = s[0];
  if (c === '.') {
    // go-yaml v2 hands these to Go's strconv.ParseFloat as written, which takes an underscore
    // between two digits (`.7_6` is 0.76).
    return /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s) ? Number(s.replace(/_/g, '')) : s;
  }
  if (!/[-+0-9]/.test(c)) {
    return s;
  }
  if (TIMESTAMP.test(s)) {
    return s;
  }
  const plain = s.replace(/_/g, '');
  const int = goInt(plain);
  if (int !== undefined && (int >= INT64_MIN && int <= INT64_MAX || (!plain.startsWith('+') && int >= 0n && int <= UINT64_MAX))) {
    return Number(int);
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) {
      return f;
    }
  }
  return s;
}

/** The value YAML 1.2's core schema gives a plain scalar (as js-yaml and `yaml` read it). */
function resolvePlain12(s: string): Yaml11Value {
  const v = jsYaml.load(s, { schema: jsYaml.CORE_SCHEMA }) as unknown;
  return typeof v === 'object' && v !== null ? s : v as Yaml11Value;
}

/** A plain scalar kubectl reads differently from YAML 1.2. */
export interface Yaml11Difference {
  /** As written. */
  readonly source: string;
  /** What kubectl and the API server see. */
  readonly value: Yaml11Value;
}

/** Collects {@link Yaml11Difference}s while one file is read (reading is synchronous). */
let collecting: Map<string, Yaml11Difference> | undefined;

/** Runs `read`, returning what it returns and the plain scalars that read differently in YAML 1.1 and 1.2. */
export function collectDifferences<T>(read: () => T): { result: T; differences: Yaml11Difference[] } {
  const previous = collecting;
  collecting = new Map();
  try {
    const result = read();
    return { result, differences: [...collecting.values()] };
  } finally {
    collecting = previous;
  }
}

/** Records `source` when YAML 1.2 reads it otherwise, and returns the YAML 1.1 value. */
export function resolveNoting(source: string): Yaml11Value {
  const value = resolvePlain11(source);
  if (collecting && !collecting.has(source) && !Object.is(resolvePlain12(source), value)) {
    collecting.set(source, { source, value });
  }
  return value;
}

// `types` is part of js-yaml's API but missing from its type definitions.
const { types } = jsYaml as unknown as { types: { null: jsYaml.Type; merge: jsYaml.Type } };

function scalarType(tag: string, is: (v: Yaml11Value) => boolean, instance: (v: unknown) => boolean): jsYaml.Type {
  return new jsYaml.Type(tag, {
    kind: 'scalar',
    resolve: (data: string) => is(resolvePlain11(data)),
    construct: (data: string) => resolveNoting(data),
    predicate: instance,
    represent: (v: object) => String(v),
  });
}

/**
 * js-yaml's schema for manifests as kubectl reads them: go-yaml v2's YAML 1.1 booleans, nulls,
 * integers and floats, with merge keys (`<<:`).
 */
export const KUBECTL_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    types.null,
    scalarType('tag:yaml.org,2002:bool', (v) => typeof v === 'boolean', (v) => typeof v === 'boolean'),
    scalarType('tag:yaml.org,2002:int', (v) => typeof v === 'number' && Number.isInteger(v), (v) => typeof v === 'number' && Number.isInteger(v)),
    scalarType('tag:yaml.org,2002:float', (v) => typeof v === 'number' && !Number.isInteger(v), (v) => typeof v === 'number'),
    types.merge,
  ],
});

import { Yaml } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { KUBECTL_SCHEMA, resolvePlain11 } from '../model/yaml11';

/**
 * Writes Kubernetes objects as multi-document YAML, byte for byte what cdk8s'
 * `Yaml.stringify(...docs)` writes, several times faster.
 *
 * cdk8s builds a full YAML document tree for every object and stringifies it; with thousands
 * of charts that is most of the synth time. Manifests are plain JSON, though: maps, lists and
 * a few hundred distinct scalars. So this walks the JSON directly and asks cdk8s' own YAML
 * writer only how to write each distinct scalar and key, once (a scalar on one line is written
 * the same way at every depth). Anything it is not sure of — a string with a line break or a
 * document marker, a shared or non-plain object, a map or list at the top — makes it hand the
 * whole document to `Yaml.stringify`, so the output is always what cdk8s writes.
 */
export function stringifyManifests(docs: readonly unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : stringifyDocument(doc))).join('---\n');
}

/** One document, as `Yaml.stringify(doc)` writes it. */
export function stringifyDocument(doc: unknown): string {
  if (isPlainObject(doc) && Object.keys(doc).length > 0) {
    const out: string[] = [];
    if (writeMap(doc, '', '', out, new Set())) {
      return out.join('');
    }
  }
  return libraryDocument(doc);
}

/**
 * The YAML library's text for a document, kept only when kubectl's reader (YAML 1.1) reads it
 * back as the same JSON; otherwise the document as JSON with every string escaped, which
 * YAML 1.1 and 1.2 read the same.
 */
function libraryDocument(doc: unknown): string {
  const text = Yaml.stringify(doc);
  let back: unknown;
  try {
    back = jsYaml.load(text, { schema: KUBECTL_SCHEMA });
  } catch {
    back = Symbol('unreadable');
  }
  const json = JSON.stringify(doc, (_k, v: unknown) => (v === undefined ? null : v));
  // go-yaml v2 refuses a tab where it expects indentation, e.g. a block scalar line starting with one.
  if (!isJsonValue(doc) || (!NEEDS_ESCAPE.test(text) && !/^ *\t/m.test(text) && JSON.stringify(back) === json)) {
    return text;
  }
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'string' ? checkedString(v) : v), 2)
    .replace(/[\u0085\u2028\u2029\ufeff\ufffe\uffff\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/**
 * Characters a YAML 1.1 reader (go-yaml v2, as kubectl reads) takes as line breaks (U+0085,
 * U+2028, U+2029) or refuses unescaped (other controls, U+FEFF, U+FFFE/F), and lone
 * surrogates: a string holding one is written double-quoted with escapes.
 */
const NEEDS_ESCAPE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `v`, or an error when it holds a lone surrogate, which no UTF-8 file can hold. */
function checkedString(v: string): string {
  const m = LONE_SURROGATE.exec(v);
  if (m) {
    throw new Error(`a string to write holds a lone UTF-16 surrogate (\\u${m[0].charCodeAt(0).toString(16)}) at index ${m.index} of ${JSON.stringify(v.slice(0, 40))}: ` +
      'YAML files are UTF-8 and cannot hold it — remove it from the value');
  }
  return v;
}

/** `v` double-quoted, every character a YAML 1.1 or 1.2 reader could misread escaped as `\uXXXX`. */
export function quoteYaml11(v: string): string {
  checkedString(v);
  let out = '"';
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/**
 * Whether the library wrote `text` for the string `v` as a plain scalar that kubectl reads as
 * something else (a number, a boolean, null).
 */
function misread11(text: string, v: string): boolean {
  return !/^["'|>]/.test(text) && resolvePlain11(text) !== v;
}

/** Plain JSON all the way down (objects, arrays, strings, numbers, booleans, null, undefined), no Date or Map. */
function isJsonValue(v: unknown): boolean {
  if (Array.isArray(v)) {
    return v.every(isJsonValue);
  }
  if (typeof v === 'object' && v !== null) {
    return isPlainObject(v) && Object.values(v).every(isJsonValue);
  }
  return typeof v !== 'function' && typeof v !== 'symbol' && typeof v !== 'bigint';
}

const INDENT = '  ';
/**
 * Strings every YAML 1.1 and 1.2 reader takes as plain strings, so the library writes them
 * as they are: a letter first, longer than every word that reads as a bool or null
 * (`false`), no indicator, no `: `, no ` #`, no space at the end…
 */
const SAFE_PLAIN = /^[A-Za-z][A-Za-z0-9._/@:-]{4,}[A-Za-z0-9._/@-]$/;
/** …or words of those characters without `:`, separated by single spaces (`hello from goship`)… */
const SAFE_WORDS = /^[A-Za-z][A-Za-z0-9._/@-]*(?: [A-Za-z0-9._/@-]+)+$/;
/**
 * …or digits and lower-case letters with a letter no number has (not e, o, x, or b after a
 * leading 0): hashes and short commits such as `33350057b6e5c321`, never an int or a float.
 */
const SAFE_HEX = /^(?!0[box])[0-9][0-9a-z]*[a-df-np-wyz][0-9a-z]*$/;
/** Written differently depending on depth or context: leave these to the YAML library. */
const CONTEXT_DEPENDENT = /\n|\r|^(%|---|\.\.\.)/;
const MAX_CACHED = 100_000;

/** How a distinct scalar or key is written; null when only the YAML library can write it in context. */
const strings = new Map<string, string | null>();
const numbers = new Map<string, string | null>();
const keys = new Map<string, string | null>();

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    return false;
  }
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isEmptyCollection(x: unknown): string | undefined {
  if (Array.isArray(x)) {
    return x.length === 0 ? '[]' : undefined;
  }
  if (isPlainObject(x)) {
    return Object.keys(x).length === 0 ? '{}' : undefined;
  }
  return undefined;
}

/**
 * Appends the block map `obj` at `indent`; its first line starts with `first` instead of the
 * indent (a list item's `- `). False when the document needs the YAML library.
 */
function writeMap(obj: Record<string, unknown>, indent: string, first: string, out: string[], seen: Set<object>): boolean {
  if (seen.has(obj)) {
    return false; // the library writes shared objects as anchors and aliases
  }
  seen.add(obj);
  let prefix = first || indent;
  for (const k of Object.keys(obj)) {
    const key = keyText(k);
    if (key === null) {
      return false;
    }
    const v = obj[k];
    if (typeof v === 'object' && v !== null) {
      const empty = isEmptyCollection(v);
      if (empty !== undefined) {
        out.push(prefix, key, ': ', empty, '\n');
      } else if (Array.isArray(v)) {
        out.push(prefix, key, ':\n');
        if (!writeSeq(v, indent + INDENT, out, seen)) {
          return false;
        }
      } else if (isPlainObject(v)) {
        out.push(prefix, key, ':\n');
        if (!writeMap(v, indent + INDENT, '', out, seen)) {
          return false;
        }
      } else {
        return false;
      }
    } else {
      const text = scalarText(v);
      if (text === null) {
        return false;
      }
      out.push(prefix, key, ': ', text, '\n');
    }
    prefix = indent;
  }
  return true;
}

/** Appends the block list `items` at `indent` (`- ` at the indent, as the YAML library indents lists). */
function writeSeq(items: readonly unknown[], indent: string, out: string[], seen: Set<object>): boolean {
  if (seen.has(items)) {
    return false;
  }
  seen.add(items);
  for (const v of items) {
    const dash = `${indent}- `;
    if (typeof v === 'object' && v !== null) {
      const empty = isEmptyCollection(v);
      if (empty !== undefined) {
        out.push(dash, empty, '\n');
      } else if (Array.isArray(v)) {
        // A list in a list: `- - a` then `  - b`.
        out.push(dash);
        if (!writeNestedSeq(v, indent + INDENT, out, seen)) {
          return false;
        }
      } else if (isPlainObject(v)) {
        if (!writeMap(v, indent + INDENT, dash, out, seen)) {
          return false;
        }
      } else {
        return false;
      }
    } else {
      const text = scalarText(v);
      if (text === null) {
        return false;
      }
      out.push(dash, text, '\n');
    }
  }
  return true;
}

/** A list whose first `- ` follows the enclosing item's dash on the same line. */
function writeNestedSeq(items: readonly unknown[], indent: string, out: string[], seen: Set<object>): boolean {
  const lines: string[] = [];
  if (!writeSeq(items, indent, lines, seen)) {
    return false;
  }
  // writeSeq wrote the first item's dash at `indent`; the enclosing dash already stands there.
  lines[0] = lines[0].slice(indent.length);
  out.push(...lines);
  return true;
}

/** How a scalar is written as a map value or list item; null when the library must decide in context. */
function scalarText(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      if (SAFE_PLAIN.test(v) || SAFE_WORDS.test(v) || SAFE_HEX.test(v)) {
        return v;
      }
      return cached(strings, v, () => {
        checkedString(v);
        const text = CONTEXT_DEPENDENT.test(v) ? null : viaLibrary(v);
        if (text === null) {
          return NEEDS_ESCAPE.test(v) ? quoteYaml11(v) : null;
        }
        return NEEDS_ESCAPE.test(text) || misread11(text, v) ? quoteYaml11(v) : text;
      });
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
        return String(v);
      }
      return cached(numbers, Object.is(v, -0) ? '-0' : String(v), () => viaLibrary(v));
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined': // cdk8s writes undefined values as null
      return 'null';
    case 'object':
      return v === null ? 'null' : null;
    default:
      return null;
  }
}

/** How a map key is written; null when the library must decide in context. */
function keyText(k: string): string | null {
  if (SAFE_PLAIN.test(k) && k.length <= 1024) {
    return k;
  }
  return cached(keys, k, () => {
    checkedString(k);
    const m = CONTEXT_DEPENDENT.test(k) ? null : /^a:\n {2}(.*): 1\n$/.exec(Yaml.stringify({ a: { [k]: 1 } }));
    if (!m || m[1].startsWith('? ')) {
      return NEEDS_ESCAPE.test(k) ? quoteYaml11(k) : null;
    }
    // A plain `<<` key is a merge key to go-yaml v2.
    return NEEDS_ESCAPE.test(m[1]) || m[1] === '<<' || misread11(m[1], k) ? quoteYaml11(k) : m[1];
  });
}

/** Asks cdk8s' YAML writer how it writes `v` as a nested map value; null unless on one line. */
function viaLibrary(v: unknown): string | null {
  const m = /^a:\n {2}b: (.*)\n$/.exec(Yaml.stringify({ a: { b: v } }));
  return m ? m[1] : null;
}

function cached<K>(cache: Map<K, string | null>, key: K, compute: () => string | null): string | null {
  const hit = cache.get(key);
  if (hit !== undefined) {
    return hit;
  }
  if (cache.size >= MAX_CACHED) {
    cache.clear();
  }
  const text = compute();
  cache.set(key, text);
  return text;
}

import { Yaml } from 'cdk8s';

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
  return Yaml.stringify(doc);
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
      return cached(strings, v, () => (CONTEXT_DEPENDENT.test(v) ? null : viaLibrary(v)));
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
    if (CONTEXT_DEPENDENT.test(k)) {
      return null;
    }
    const m = /^a:\n {2}(.*): 1\n$/.exec(Yaml.stringify({ a: { [k]: 1 } }));
    return m && !m[1].startsWith('? ') ? m[1] : null;
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

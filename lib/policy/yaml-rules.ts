import * as jsYaml from 'js-yaml';
import { Scalar, parseAllDocuments, visit } from 'yaml';
import { BOUNDS, BoundError } from '../bounds';
import { KUBECTL_SCHEMA, Yaml11Difference, collectDifferences, resolveNoting } from '../model/yaml11';
import { LineHit, YamlRule, say } from './finding';

/** A YAML file as the folder check reads it. */
export interface YamlFile {
  /** The documents that parsed, as plain JSON values (empty documents dropped), with merge keys (`<<:`) resolved. */
  readonly documents: readonly unknown[];
  /** The 1-based line each of {@link documents} starts on, when known. */
  readonly lines: readonly (number | undefined)[];
  /** Where it does not parse. */
  readonly problems: readonly LineHit[];
  /**
   * Its `{{ … }}` breaks the YAML or becomes structure: a Helm or Go template. Its documents
   * that parse into objects are still checked (a template never hides an object that
   * parses); the others are reported as template, not as syntax errors.
   */
  readonly template: boolean;
  /** Plain scalars kubectl reads otherwise than YAML 1.2 does (`yes` is true, `0o17` is 15): what the cluster sees. */
  readonly yaml11: readonly Yaml11Difference[];
  /**
   * Keys given twice in one mapping. The document is still read, as kubectl reads it: the
   * last value wins.
   */
  readonly duplicates: readonly LineHit[];
}

/**
 * Parses a multi-document YAML file as kubectl does (YAML 1.1 scalars, see `yaml11.ts`, with
 * merge keys). Valid files are read with js-yaml (about 15× faster than `yaml` on
 * manifests); a file with an error is read again with `yaml`, which reports every error with
 * its line and keeps the documents that do parse. A `{{ … }}` anywhere never hides a document
 * that parses.
 *
 * @param input names the input in the error past a bound
 * @throws BoundError past {@link BOUNDS.yamlDocuments} documents
 */
export function readYaml(text: string, input = 'YAML'): YamlFile {
  const { result, differences } = collectDifferences(() => {
    try {
      return readFast(text, input);
    } catch (e) {
      if (e instanceof BoundError) {
        throw e;
      }
      return readCareful(text, input);
    }
  });
  // `{{ … }}` in a string (a Prometheus alert annotation, a Go template in a ConfigMap) or in a
  // comment is data: the file is checked. Where the template breaks the YAML, or turns into
  // structure (`image: {{ .Values.image }}` parses as a mapping used as a key), the file is a
  // template: those documents are left out, every other document is still checked.
  if (/\{\{[\s\S]*?\}\}/.test(text) && (result.problems.length > 0 || result.documents.some(hasMappingKey))) {
    const keep = result.documents.map((d, i) => ({ d, line: result.lines[i] })).filter(({ d }) => !hasMappingKey(d));
    return { ...result, documents: keep.map((k) => k.d), lines: keep.map((k) => k.line), template: true, yaml11: differences };
  }
  return { ...result, template: false, yaml11: differences };
}

/** Whether a parsed value has a key that was a mapping in the YAML (js-yaml writes it as `[object Object]`). */
function hasMappingKey(v: unknown): boolean {
  if (Array.isArray(v)) {
    return v.some(hasMappingKey);
  }
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  return Object.entries(v).some(([k, x]) => k === '[object Object]' || k.startsWith('{') || hasMappingKey(x));
}

function tooMany(input: string): BoundError {
  return new BoundError(input, 'the number of YAML documents', BOUNDS.yamlDocuments);
}

function readFast(text: string, input: string): Omit<YamlFile, 'template' | 'yaml11'> {
  // js-yaml throws on a key given twice: readCareful then reads the file as kubectl does.
  const all: unknown[] = [];
  const starts: number[] = [];
  let depth = 0;
  // The root node of each document opens at depth 0: its line is the document's.
  const listener = (event: jsYaml.EventType, state: jsYaml.State) => {
    if (event === 'open' && depth++ === 0) {
      starts.push(state.line + 1);
    } else if (event === 'close') {
      depth--;
    }
  };
  jsYaml.loadAll(text, (doc) => {
    if (all.push(doc) > BOUNDS.yamlDocuments) {
      throw tooMany(input);
    }
  }, { schema: KUBECTL_SCHEMA, listener });
  const exact = starts.length === all.length;
  const documents: unknown[] = [];
  const lines: (number | undefined)[] = [];
  all.forEach((doc, i) => {
    if (doc !== null && doc !== undefined) {
      documents.push(doc);
      lines.push(exact ? starts[i] : undefined);
    }
  });
  return { documents, lines, problems: [], duplicates: [] };
}

function readCareful(text: string, input: string): Omit<YamlFile, 'template' | 'yaml11'> {
  const documents: unknown[] = [];
  const lines: number[] = [];
  const problems: LineHit[] = [];
  const duplicates: LineHit[] = [];
  const lineAt = lineIndex(text);
  // `merge: true`: Helm charts and hand-written manifests share blocks with `<<: *anchor`.
  const docs = parseAllDocuments(text, { merge: true });
  if (Array.isArray(docs) && docs.length > BOUNDS.yamlDocuments) {
    throw tooMany(input);
  }
  // A key given twice is no syntax error to kubectl (go-yaml v2, not strict): the last value
  // wins. Such documents are read again that way, and the keys reported.
  const onlyDuplicates = (d: (typeof docs)[number]) => d.errors.length > 0 && d.errors.every((e) => e.code === 'DUPLICATE_KEY');
  const lenient = docs.some(onlyDuplicates) ? parseAllDocuments(text, { merge: true, uniqueKeys: false }) : [];
  for (const [i, first] of docs.entries()) {
    let doc = first;
    const again = lenient[i];
    if (onlyDuplicates(doc) && again !== undefined && again.errors.length === 0 && again.range[0] === doc.range[0]) {
      for (const e of doc.errors) {
        const key = /^("[^"]*"|'[^']*'|[^:\n]+?)\s*:/.exec(text.slice(e.pos[0]))?.[1] ?? '?';
        duplicates.push({ line: lineAt(e.pos[0]), message: key });
      }
      doc = again;
    }
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        // yaml repeats the position in the message; the finding carries the line.
        problems.push({ line: e.linePos?.[0].line, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') });
      }
      continue;
    }
    // Plain scalars as kubectl reads them (YAML 1.1), not as YAML 1.2's core schema.
    visit(doc, {
      Scalar(_key, node: Scalar) {
        if (node.type === 'PLAIN' && node.tag === undefined && typeof node.source === 'string') {
          node.value = resolveNoting(node.source);
        }
      },
    });
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value !== null && value !== undefined) {
      documents.push(value);
      lines.push(lineAt(doc.contents?.range?.[0] ?? doc.range[0]));
    }
  }
  return { documents, lines, problems, duplicates };
}

/** Maps a character offset to its 1-based line. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  };
}

/** The first line where `source` stands as a plain scalar (a value, a list item or a key), when found. */
function lineOf(text: string, source: string): { line?: number } {
  const escaped = source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[\\s:\\[,{-])${escaped}\\s*($|[\\s,\\]}#:])`);
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i >= 0 ? { line: i + 1 } : {};
}

/** The first line that contains `part`, when one does. */
function lineWith(text: string, part: string): { line?: number } {
  const i = text.split('\n').findIndex((l) => l.includes(part));
  return i >= 0 ? { line: i + 1 } : {};
}

/** How a YAML 1.1 value is shown: `true`, `15`, `null`. */
const shown = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

/** Rules on a YAML file itself, in README order. */
export const YAML_RULES: readonly YamlRule[] = [
  {
    target: 'yaml',
    id: 'yaml/syntax',
    severity: 'error',
    description: 'Every YAML document parses.',
    check: (file) => (file.yaml.template ? [] : file.yaml.problems.map((p) => ({
      ...(p.line !== undefined ? { line: p.line } : {}),
      message: say(p.message, 'kubectl and GitOps tools refuse the whole file', 'fix the YAML'),
    }))),
  },
  {
    target: 'yaml',
    id: 'yaml/template',
    severity: 'warning',
    description: 'A YAML file whose {{ … }} breaks the YAML or its structure is a template: its documents that parse are checked, the others reported.',
    check: (file) => (file.yaml.template ? [{
      ...(file.yaml.problems[0]?.line !== undefined ? { line: file.yaml.problems[0].line } : lineWith(file.text, '{{')),
      message: say(`the file does not parse as YAML where it has {{ … }}${file.yaml.problems.length > 0 ? ` (${file.yaml.problems.length} YAML error(s))` : ''}: it is a template, not a manifest`,
        'its documents that parse into objects are checked as written, the others not at all',
        'render it first (e.g. helm template … > rendered.yaml) and check the output'),
    }] : []),
  },
  {
    target: 'yaml',
    id: 'yaml/duplicate-key',
    severity: 'warning',
    description: 'No key is given twice in one mapping (kubectl keeps the last value; kustomize refuses the file).',
    check: (file) => file.yaml.duplicates.map((d) => ({
      ...(d.line !== undefined ? { line: d.line } : {}),
      message: say(`key '${d.message}' is given twice in one mapping`,
        'kubectl applies the last value and drops the first without a word (goship checks that), while kustomize, and so Flux, refuse the whole file',
        'keep one of them'),
    })),
  },
  {
    target: 'yaml',
    id: 'yaml/yaml11-scalar',
    severity: 'notice',
    description: 'Plain scalars that kubectl (YAML 1.1) reads otherwise than YAML 1.2, e.g. yes as true, 0o17 as 15: checked as the cluster sees them.',
    check: (file) => (file.yaml.yaml11.length > 0 ? [{
      ...lineOf(file.text, file.yaml.yaml11[0].source),
      message: say(`${file.yaml.yaml11.slice(0, 8).map((d) => `${d.source} is read as ${shown(d.value)}`).join(', ')}${file.yaml.yaml11.length > 8 ? ', …' : ''}`,
        'kubectl, Argo CD and Flux read YAML 1.1: that is what the cluster gets, and what goship checks',
        'write true/false and decimal numbers, or quote what is meant as a string'),
    }] : []),
  },
];

import * as jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { LineHit, YamlRule, say } from './finding';

/** A YAML file as the folder check reads it. */
export interface YamlFile {
  /** The documents that parsed, as plain JSON values (empty documents dropped), with merge keys (`<<:`) resolved. */
  readonly documents: readonly unknown[];
  /** The 1-based line each of {@link documents} starts on, when known. */
  readonly lines: readonly (number | undefined)[];
  /** Where it does not parse. */
  readonly problems: readonly LineHit[];
  /** It contains `{{ … }}` that breaks the YAML or becomes structure: a Helm or Go template, not a manifest; not checked. */
  readonly template: boolean;
}

/** YAML 1.2's core schema (as `yaml` reads it: no timestamps, no `yes`/`no` booleans) with merge keys. */
// `types` is part of js-yaml's API but missing from its type definitions.
const SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge] });

/**
 * Parses a multi-document YAML file. Never throws. Valid files are read with js-yaml (about
 * 15× faster than `yaml` on manifests); a file with an error is read again with `yaml`, which
 * reports every error with its line and keeps the documents that do parse.
 */
export function readYaml(text: string): YamlFile {
  let file: YamlFile;
  try {
    file = readFast(text);
  } catch {
    file = readCareful(text);
  }
  // `{{ … }}` in a string (a Prometheus alert annotation, a Go template in a ConfigMap) is
  // data: the file is checked. Only where the template breaks the YAML, or turns into
  // structure (`image: {{ .Values.image }}` parses as a mapping used as a key), is the file
  // a template that must be rendered first.
  if (/\{\{[\s\S]*?\}\}/.test(text) && (file.problems.length > 0 || file.documents.some(hasMappingKey))) {
    return { documents: [], lines: [], problems: [], template: true };
  }
  return file;
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

function readFast(text: string): YamlFile {
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
  jsYaml.loadAll(text, (doc) => all.push(doc), { schema: SCHEMA, listener });
  const exact = starts.length === all.length;
  const documents: unknown[] = [];
  const lines: (number | undefined)[] = [];
  all.forEach((doc, i) => {
    if (doc !== null && doc !== undefined) {
      documents.push(doc);
      lines.push(exact ? starts[i] : undefined);
    }
  });
  return { documents, lines, problems: [], template: false };
}

function readCareful(text: string): YamlFile {
  const documents: unknown[] = [];
  const lines: number[] = [];
  const problems: LineHit[] = [];
  const lineAt = lineIndex(text);
  // `merge: true`: Helm charts and hand-written manifests share blocks with `<<: *anchor`.
  for (const doc of parseAllDocuments(text, { merge: true })) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        // yaml repeats the position in the message; the finding carries the line.
        problems.push({ line: e.linePos?.[0].line, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') });
      }
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value !== null && value !== undefined) {
      documents.push(value);
      lines.push(lineAt(doc.contents?.range?.[0] ?? doc.range[0]));
    }
  }
  return { documents, lines, problems, template: false };
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

/** Rules on a YAML file itself, in README order. */
export const YAML_RULES: readonly YamlRule[] = [
  {
    target: 'yaml',
    id: 'yaml/syntax',
    severity: 'error',
    description: 'Every YAML document parses.',
    check: (file) => file.yaml.problems.map((p) => ({
      ...(p.line !== undefined ? { line: p.line } : {}),
      message: say(p.message, 'kubectl and GitOps tools refuse the whole file', 'fix the YAML'),
    })),
  },
  {
    target: 'yaml',
    id: 'yaml/template',
    severity: 'warning',
    description: 'A YAML file whose {{ … }} breaks the YAML or its structure is a template: it is reported, not checked.',
    check: (file) => (file.yaml.template ? [{
      message: say('the file does not parse as YAML where it has {{ … }}: it is a template, not a manifest', 'none of its objects is checked',
        'render it first (e.g. helm template … > rendered.yaml) and check the output'),
    }] : []),
  },
];

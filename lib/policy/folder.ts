import { promises as fs } from 'fs';
import * as path from 'path';
import { BOUNDS, readTextBounded } from '../bounds';
import { CheckOptions, ManifestReport, activeRules, checkDockerfile, reportManifests } from './engine';
import { Finding } from './finding';
import { ManifestSource, dig, isRecord, list } from './workloads';
import { YamlFile, readYaml } from './yaml-rules';

/** Not walked: dependencies, and hidden folders (.git, .github: CI files are not manifests). */
const skippedDir = (name: string) => name === 'node_modules' || name.startsWith('.');

/** Whether a file name is a Dockerfile: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile` (not `*.dockerignore`). */
export function isDockerfileName(name: string): boolean {
  return !/\.dockerignore$/i.test(name) && (/^(docker|container)file(\..+)?$/i.test(name) || /\.dockerfile$/i.test(name));
}

/** Whether a file name is YAML. */
export function isYamlName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** Whether a file name is JSON (`kubectl apply -f` reads `.json` manifests as it reads YAML). */
export function isJsonName(name: string): boolean {
  return /\.json$/i.test(name);
}

/** Whether a file may hold Kubernetes objects: YAML or JSON. */
export function isManifestName(name: string): boolean {
  return isYamlName(name) || isJsonName(name);
}

/**
 * The YAML and JSON files and Dockerfiles under `dir`, as sorted paths relative to it (with `/`).
 * Symbolic links are followed, as `kubectl apply -f <folder>` follows them: a link to a file
 * is listed under its own name, a link to a folder is walked (each real folder once, so a
 * loop ends). A dangling link with a manifest or Dockerfile name is listed too, so reading it
 * fails naming it rather than being skipped in silence.
 */
export async function listPolicyFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = async (rel: string) => {
    const real = await fs.realpath(path.join(dir, rel));
    if (seen.has(real)) {
      return;
    }
    seen.add(real);
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      const policyName = isManifestName(e.name) || isDockerfileName(e.name);
      if (e.isSymbolicLink()) {
        const st = await fs.stat(path.join(dir, child)).catch(() => undefined);
        if (st?.isDirectory() && !skippedDir(e.name)) {
          await walk(child);
        } else if (policyName && (st === undefined || st.isFile())) {
          out.push(child);
        }
      } else if (e.isDirectory() && !skippedDir(e.name)) {
        await walk(child);
      } else if (e.isFile() && policyName) {
        out.push(child);
      }
    }
  };
  await walk('');
  return out;
}

/** One text to check: YAML (any number of documents; JSON is read as one) or a Dockerfile. */
export interface PolicyInput {
  /** How findings name it: a path relative to the checked folder, or `<stdin>`. */
  readonly file: string;
  readonly text: string;
  readonly type: 'yaml' | 'dockerfile';
}

/** What a check of files found and what it looked at. */
export interface CheckReport extends ManifestReport {
  /** Texts read. */
  readonly files: number;
  /** Dockerfiles among them. */
  readonly dockerfiles: number;
}

/**
 * Checks texts: every Dockerfile on its own, the Kubernetes objects of all YAML texts
 * together (a Service is matched with a Deployment from another file). Pure. Findings are
 * sorted by file, then as each check orders them.
 */
export function checkInputs(inputs: readonly PolicyInput[], opts: CheckOptions = {}): CheckReport {
  const rules = activeRules(opts);
  const findings: Finding[] = [];
  const sources: ManifestSource[] = [];
  const read = inputs.map((input) => ({ ...input, yaml: input.type === 'dockerfile' ? undefined : readManifestText(input.file, input.text) }));
  const kustomize = kustomizeIndex(read.flatMap((r) => (r.yaml ? [{ file: r.file, documents: r.yaml.documents }] : [])));
  for (const { file, text, type, yaml } of read) {
    if (type === 'dockerfile' || !yaml) {
      for (const f of checkDockerfile(text, file, opts)) {
        findings.push(f);
      }
      continue;
    }
    for (const rule of rules) {
      if (rule.target === 'yaml') {
        for (const hit of rule.check({ text, yaml })) {
          findings.push({ rule: rule.id, severity: hit.severity ?? rule.severity, file, ...(hit.line !== undefined ? { line: hit.line } : {}), message: hit.message });
        }
      }
    }
    const kustomization = kustomize.labelledBy(file);
    const patchOf = kustomize.patchOf(file);
    yaml.documents.forEach((object, i) => {
      sources.push({
        object, file, ...(yaml.lines[i] !== undefined ? { line: yaml.lines[i] } : {}),
        ...(kustomization ? { kustomization } : {}), ...(patchOf ? { patchOf } : {}),
      });
    });
  }
  const unread = read.filter((r) => r.yaml !== undefined && (r.yaml.template || r.yaml.problems.length > 0)).map((r) => r.file);
  const manifests = reportManifests(sources, opts, unread);
  for (const f of manifests.findings) {
    findings.push(f);
  }
  const byFile = (f: Finding) => f.file ?? '';
  return {
    ...manifests,
    findings: findings.sort((a, b) => (byFile(a) < byFile(b) ? -1 : byFile(a) > byFile(b) ? 1 : 0)),
    files: inputs.length,
    dockerfiles: inputs.filter((i) => i.type === 'dockerfile').length,
  };
}

/**
 * A manifest file's text as YAML documents. JSON files are parsed as JSON first (tabs and all);
 * one that parses neither way and does not look like a Kubernetes object (a tsconfig.json
 * with comments) is no manifest, and yields nothing.
 */
export function readManifestText(file: string, text: string): YamlFile {
  if (!isJsonName(path.posix.basename(file))) {
    return readYaml(text, file);
  }
  try {
    const value: unknown = JSON.parse(text);
    return { documents: value === null ? [] : [value], lines: [1], problems: [], template: false, yaml11: [], duplicates: [] };
  } catch {
    const yaml = readYaml(text, file);
    return yaml.problems.length > 0 && !/"apiVersion"\s*:/.test(text) ? { documents: [], lines: [], problems: [], template: false, yaml11: [], duplicates: [] } : yaml;
  }
}

/** What the kustomization.yaml files of a check say about other files. */
interface KustomizeIndex {
  /** The kustomization.yaml that adds labels to the selectors of this file's objects, if any. */
  readonly labelledBy: (file: string) => string | undefined;
  /** The kustomization.yaml that applies this file as a patch, if any. */
  readonly patchOf: (file: string) => string | undefined;
}

const isKustomization = (file: string) => /^kustomization\.ya?ml$/i.test(path.posix.basename(file));

/**
 * Reads the kustomization.yaml files (`Kustomization` and `Component`):
 * - those that add labels to selectors (`commonLabels`, or `labels` with
 *   `includeSelectors: true`), and which files they apply to: their own folder and every
 *   `resources`/`bases` entry (a file or a folder), relative to them;
 * - the files they apply as patches (`patches[].path`, `patchesStrategicMerge`,
 *   `patchesJson6902[].path`): partial objects, not objects of their own.
 */
function kustomizeIndex(files: readonly { file: string; documents: readonly unknown[] }[]): KustomizeIndex {
  const roots: { path: string; by: string }[] = [];
  const patches = new Map<string, string>();
  for (const { file, documents } of files) {
    if (!isKustomization(file)) {
      continue;
    }
    const k = documents[0];
    if (!isRecord(k)) {
      continue;
    }
    const dir = path.posix.dirname(file);
    const rel = (r: unknown) => (typeof r === 'string' && !r.includes('://') && !r.includes('\n') ? path.posix.normalize(path.posix.join(dir, r)) : undefined);
    const patchPaths = [
      ...list(k.patches).map((p) => dig(p, 'path')),
      ...list(k.patchesStrategicMerge),
      ...list(k.patchesJson6902).map((p) => dig(p, 'path')),
    ];
    for (const p of patchPaths.map(rel)) {
      if (p !== undefined && !patches.has(p)) {
        patches.set(p, file);
      }
    }
    const common = isRecord(k.commonLabels) && Object.keys(k.commonLabels).length > 0;
    const labels = list(k.labels).some((l) => dig(l, 'includeSelectors') === true);
    if (!common && !labels) {
      continue;
    }
    roots.push({ path: dir, by: file });
    for (const r of [...list(k.resources), ...list(k.bases)].map(rel)) {
      if (r !== undefined) {
        roots.push({ path: r, by: file });
      }
    }
  }
  return {
    labelledBy: (file) => roots.find((r) => file === r.path || r.path === '.' || file.startsWith(`${r.path}/`))?.by,
    patchOf: (file) => patches.get(file),
  };
}

/**
 * Checks every `*.yaml`/`*.yml` (multi-document), `*.json` and Dockerfile under `dir`, skipping
 * `node_modules` and hidden folders (`.git`, `.github`). The Kubernetes objects of all YAML files are checked together,
 * so a Service is matched with a Deployment from another file. Findings name files relative
 * to `dir`, sorted by file.
 *
 * @throws if `dir` cannot be read
 */
export async function checkFolder(dir: string, opts: CheckOptions = {}): Promise<Finding[]> {
  return checkFiles(dir, await listPolicyFiles(dir), opts);
}

/**
 * Checks the given files (paths relative to `root`, with `/`) as {@link checkFolder} does:
 * YAML objects together, each Dockerfile on its own.
 */
export async function checkFiles(root: string, files: readonly string[], opts: CheckOptions = {}): Promise<Finding[]> {
  return checkInputs(await readInputs(root, files), opts).findings;
}

/** Reads files (relative to `root`) as inputs, typed by name. */
export async function readInputs(root: string, files: readonly string[]): Promise<PolicyInput[]> {
  return Promise.all(files.map(async (file) => ({
    file,
    text: readTextBounded(path.join(root, file), BOUNDS.textFileBytes),
    type: isDockerfileName(path.posix.basename(file)) ? 'dockerfile' as const : 'yaml' as const,
  })));
}

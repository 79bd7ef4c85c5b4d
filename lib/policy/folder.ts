import { promises as fs } from 'fs';
import * as path from 'path';
import { CheckOptions, activeRules, checkDockerfile, checkManifestSources } from './engine';
import { Finding } from './finding';
import { ManifestSource } from './workloads';
import { readYaml } from './yaml-rules';

/** Not walked: dependencies, and hidden folders (.git, .github: CI files are not manifests). */
const skippedDir = (name: string) => name === 'node_modules' || name.startsWith('.');

/** Whether a file name is a Dockerfile: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile` (not `*.dockerignore`). */
export function isDockerfileName(name: string): boolean {
  return !/\.dockerignore$/i.test(name) && (/^dockerfile(\..+)?$/i.test(name) || /\.dockerfile$/i.test(name));
}

/** Whether a file name is YAML. */
export function isYamlName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** The YAML files and Dockerfiles under `dir`, as sorted paths relative to it (with `/`). */
export async function listPolicyFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory() && !skippedDir(e.name)) {
        await walk(child);
      } else if (e.isFile() && (isYamlName(e.name) || isDockerfileName(e.name))) {
        out.push(child);
      }
    }
  };
  await walk('');
  return out;
}

/**
 * Checks every `*.yaml`/`*.yml` (multi-document) and Dockerfile under `dir`, skipping
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
  const rules = activeRules(opts);
  const findings: Finding[] = [];
  const sources: ManifestSource[] = [];
  for (const file of files) {
    const text = await fs.readFile(path.join(root, file), 'utf8');
    if (isDockerfileName(path.posix.basename(file))) {
      findings.push(...checkDockerfile(text, file, opts));
      continue;
    }
    for (const rule of rules) {
      if (rule.target === 'yaml') {
        for (const hit of rule.check(text)) {
          findings.push({ rule: rule.id, severity: rule.severity, file, ...(hit.line !== undefined ? { line: hit.line } : {}), message: hit.message });
        }
      }
    }
    sources.push(...readYaml(text).documents.map((object) => ({ object, file })));
  }
  findings.push(...checkManifestSources(sources, opts));
  const byFile = (f: Finding) => f.file ?? '';
  return findings.sort((a, b) => (byFile(a) < byFile(b) ? -1 : byFile(a) > byFile(b) ? 1 : 0));
}

import * as fs from 'fs';
import * as path from 'path';
import { ValidationError } from '../model/errors';
import { GoModInfo, parseGoMod } from './go-mod';

/** What goship reads from a Go module directory. */
export interface GoModule extends GoModInfo {
  /** Absolute path of the module root (the build context). */
  readonly dir: string;
  /** Module files to copy before the sources: `go.mod`, plus `go.sum` when present. */
  readonly moduleFiles: readonly string[];
}

const modules = new Map<string, GoModule>();
const mainPackages = new Map<string, { declaresVersion: boolean }>();

/**
 * Reads `go.mod` (and whether `go.sum` exists) in `dir`. Memoized per directory, as git is:
 * a thousand images built from one module read its go.mod once.
 */
export function readGoModule(dir: string): GoModule {
  const abs = path.resolve(dir);
  const hit = modules.get(abs);
  if (hit) {
    return hit;
  }
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw ValidationError.invalid('context', dir, 'is not a directory', 'point context at the Go module directory (the one with go.mod)');
  }
  const goModPath = path.join(abs, 'go.mod');
  if (!fs.existsSync(goModPath)) {
    throw ValidationError.invalid('context', dir, 'has no go.mod', "point context at the module root, or run 'go mod init <module path>' there");
  }
  const info = parseGoMod(fs.readFileSync(goModPath, 'utf8'));
  const moduleFiles = fs.existsSync(path.join(abs, 'go.sum')) ? ['go.mod', 'go.sum'] : ['go.mod'];
  const mod = { ...info, dir: abs, moduleFiles };
  modules.set(abs, mod);
  return mod;
}

/**
 * Checks that `main` (relative to the module) is a `package main` directory and tells whether
 * it declares a package-level `version` variable that `-X main.version=…` can set. Memoized
 * per directory.
 */
export function inspectMainPackage(moduleDir: string, main: string): { declaresVersion: boolean } {
  const dir = path.join(moduleDir, main);
  const hit = mainPackages.get(dir);
  if (hit) {
    return hit;
  }
  const files = fs.existsSync(dir) && fs.statSync(dir).isDirectory()
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go')).sort()
    : [];
  const sources = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/\/\/.*$/gm, ''));
  if (!sources.some((s) => /^\s*package\s+main\b/m.test(s))) {
    throw ValidationError.invalid('main', main, `has no Go file in package main (looked in ${path.basename(moduleDir)}/${main})`, "point main at the directory of the command, e.g. './cmd/server'");
  }
  const result = { declaresVersion: sources.some(declaresVersionVariable) };
  mainPackages.set(dir, result);
  return result;
}

/** Forgets what {@link readGoModule} and {@link inspectMainPackage} read (for code that changes a module while it runs). */
export function clearGoModuleCache(): void {
  modules.clear();
  mainPackages.clear();
}

/** True when a Go source declares `var version` at package level, alone or in a `var ( … )` block. */
export function declaresVersionVariable(source: string): boolean {
  if (/^var\s+version\b/m.test(source)) {
    return true;
  }
  for (const block of source.matchAll(/^var\s*\(([\s\S]*?)^\)/gm)) {
    if (/^\s*version\b/m.test(block[1])) {
      return true;
    }
  }
  return false;
}

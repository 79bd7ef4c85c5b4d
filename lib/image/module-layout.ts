import * as fs from 'fs';
import * as path from 'path';
import { ValidationError } from '../model/errors';
import { GoReplacement, parseGoWork, parseVendorModules, vendorDisagreement } from './go-mod';
import { GoModule, readGoModule } from './go-module';

/**
 * What a build of one Go module needs from the disk, read from go.mod, go.work and
 * vendor/modules.txt — never by running `go`.
 *
 * Paths other than `contextDir` are relative to the context, with `/`.
 */
export interface ModuleLayout {
  /**
   * The build context: the module directory, or — when the module replaces a module with a
   * directory outside it, or is part of a `go.work` workspace — the smallest directory that
   * holds every module the build reads.
   */
  readonly contextDir: string;
  /** The module directory, relative to the context (`.` when it is the context). */
  readonly moduleDir: string;
  /** The files the download step needs, copied before the sources: every go.mod, go.sum, go.work, go.work.sum. */
  readonly moduleFiles: readonly string[];
  /** True when the module vendors its dependencies (`vendor/modules.txt`): no download, `-mod=vendor`. */
  readonly vendored: boolean;
  /**
   * What the build reads: the folders (and files) of the context that the ignore file lets
   * through, and the paths the image's git tag is computed from. `['.']` when the context is the module.
   */
  readonly inputs: readonly string[];
  /** The workspace file, when the module is built in a `go.work` workspace. */
  readonly workspace?: string;
}

const layouts = new Map<string, ModuleLayout>();

/**
 * Works out the build context of the module in `dir`: its local `replace` targets, its
 * `go.work` workspace (looked up from `dir` upwards, as `go` does) and its vendor folder.
 * Memoized per directory.
 *
 * @throws ValidationError when a replace target or workspace module is missing, the vendor
 * folder disagrees with go.mod, or the modules share no directory but `/`
 */
export function moduleLayout(dir: string): ModuleLayout {
  const abs = path.resolve(dir);
  const hit = layouts.get(abs);
  if (hit) {
    return hit;
  }
  const mod = readGoModule(abs);
  const workFile = findGoWork(abs);
  const layout = workFile ? workspaceLayout(mod, workFile) : moduleOnlyLayout(mod);
  layouts.set(abs, layout);
  return layout;
}

/** Forgets what {@link moduleLayout} worked out. */
export function clearModuleLayoutCache(): void {
  layouts.clear();
}

function moduleOnlyLayout(mod: GoModule): ModuleLayout {
  const vendorFile = path.join(mod.dir, 'vendor', 'modules.txt');
  if (fs.existsSync(vendorFile)) {
    const problem = vendorDisagreement(mod, parseVendorModules(fs.readFileSync(vendorFile, 'utf8')));
    if (problem !== undefined) {
      throw ValidationError.invalid('context', `${path.basename(mod.dir)}/vendor`, `disagrees with go.mod: ${problem}, so 'go build -mod=vendor' would fail`, `run 'go mod vendor' in ${path.basename(mod.dir)} and commit vendor/`);
    }
    // vendor/ holds the replaced modules too: the build reads nothing outside the module.
    return { contextDir: mod.dir, moduleDir: '.', moduleFiles: mod.moduleFiles, vendored: true, inputs: ['.'] };
  }
  const replaced = localReplacements(mod.dir, mod.replaces, 'go.mod');
  return assemble([mod.dir, ...replaced.map((r) => r.dir)], [], mod.dir);
}

function workspaceLayout(mod: GoModule, workFile: string): ModuleLayout {
  const workDir = path.dirname(workFile);
  const work = parseGoWork(fs.readFileSync(workFile, 'utf8'));
  const used = work.uses.map((u) => {
    const dir = path.resolve(workDir, u);
    if (!fs.existsSync(path.join(dir, 'go.mod'))) {
      throw ValidationError.invalid('context', `go.work: use ${u}`, `${portable(path.relative(process.cwd(), dir)) || '.'} has no go.mod, so go cannot load the workspace`, `fix the use line in ${portable(path.relative(process.cwd(), workFile))}, or run 'go work use' there`);
    }
    return readGoModule(dir);
  });
  if (!used.some((m) => m.dir === mod.dir)) {
    throw ValidationError.invalid('context', mod.dir === process.cwd() ? '.' : path.relative(process.cwd(), mod.dir), `is inside the workspace ${portable(path.relative(process.cwd(), workFile))} but not one of its modules, so go refuses to build it`, `add it with 'go work use ./${portable(path.relative(workDir, mod.dir))}'`);
  }
  const replaced = localReplacements(workDir, work.replaces, 'go.work');
  // The workspace modules the build reads: the module, and those it requires, transitively.
  const needed = new Set<GoModule>([mod]);
  const byPath = new Map(used.map((m) => [m.module, m]));
  for (const m of needed) {
    for (const r of m.requires) {
      const dep = byPath.get(r.path);
      if (dep) {
        needed.add(dep);
      }
    }
    replaced.push(...localReplacements(m.dir, m.replaces, 'go.mod'));
  }
  const others = used.filter((m) => !needed.has(m));
  const dirs = [...needed].map((m) => m.dir).concat(replaced.map((r) => r.dir));
  // The other workspace modules are loaded too (their go.mod only): go reads every `use`.
  const otherFiles = others.flatMap((m) => m.moduleFiles.map((f) => path.join(m.dir, f)));
  const workFiles = ['go.work', 'go.work.sum'].map((f) => path.join(workDir, f)).filter((f) => fs.existsSync(f));
  return assemble(dirs, [...workFiles, ...otherFiles], mod.dir, workFile);
}

/** The directories of local `replace` lines, each checked to exist and hold a go.mod. */
function localReplacements(baseDir: string, replaces: readonly GoReplacement[], file: string): Array<{ dir: string }> {
  return replaces.filter((r) => r.local).map((r) => {
    const dir = path.resolve(baseDir, r.target);
    const line = `${file}: replace ${r.path}${r.version ? ` ${r.version}` : ''} => ${r.target}`;
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw ValidationError.invalid('context', line, 'the replacement directory does not exist, so the module download fails', `create ${r.target} (relative to ${path.basename(baseDir)}), or fix the path in ${file}`);
    }
    if (!fs.existsSync(path.join(dir, 'go.mod'))) {
      throw ValidationError.invalid('context', line, 'the replacement directory has no go.mod, which go needs for a directory replacement', `run 'go mod init ${r.path}' in ${r.target}`);
    }
    return { dir };
  });
}

/**
 * The layout for modules in `dirs` (the first is the module built) and single `files`: the
 * context is their smallest common directory.
 */
function assemble(dirs: readonly string[], files: readonly string[], moduleDir: string, workFile?: string): ModuleLayout {
  const unique = [...new Set(dirs)];
  const context = commonDirectory([...unique, ...files.map((f) => path.dirname(f))]);
  if (path.dirname(context) === context) {
    throw ValidationError.invalid('context', moduleDir, `the modules it builds from (${unique.join(', ')}) share no directory but ${context}, which cannot be a build context`, 'move the replaced or workspace modules into the same repository as the module, or vendor them (go mod vendor)');
  }
  const rel = (p: string) => portable(path.relative(context, p)) || '.';
  // A directory inside another that is listed already adds nothing.
  const inputDirs = unique.filter((d) => !unique.some((o) => o !== d && isInside(d, o)));
  const moduleFiles = [...unique.flatMap((d) => readGoModule(d).moduleFiles.map((f) => path.join(d, f))), ...files];
  return {
    contextDir: context,
    moduleDir: rel(moduleDir),
    moduleFiles: [...new Set(moduleFiles.map(rel))].sort(),
    vendored: false,
    inputs: [...inputDirs.map(rel), ...files.filter((f) => !inputDirs.some((d) => isInside(f, d))).map(rel)].sort(),
    ...(workFile ? { workspace: rel(workFile) } : {}),
  };
}

function findGoWork(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'go.work');
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    if (path.dirname(d) === d) {
      return undefined;
    }
  }
}

function commonDirectory(dirs: readonly string[]): string {
  return dirs.reduce((common, d) => {
    let c = common;
    while (!isInside(d, c)) {
      c = path.dirname(c);
    }
    return c;
  });
}

function isInside(p: string, dir: string): boolean {
  const r = path.relative(dir, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

function portable(p: string): string {
  return p.split(path.sep).join('/');
}

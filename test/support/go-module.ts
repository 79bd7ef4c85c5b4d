import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Options for {@link makeGoModule}. */
export interface GoModuleFixture {
  /** go.mod text. @default module example.com/svc, go 1.22 */
  readonly goMod?: string;
  /** Files relative to the module root. @default a main.go declaring `var version` */
  readonly files?: Record<string, string>;
  /** Commit it to a fresh git repository. @default true */
  readonly git?: boolean;
  /** Commit date (ISO) for a deterministic history. @default 2026-01-02T03:04:05Z */
  readonly commitDate?: string;
}

export const MAIN_WITH_VERSION = 'package main\n\nvar version = "dev"\n\nfunc main() { println(version) }\n';

/** Writes a small Go module into a new temporary folder (a git repository unless `git: false`). */
export function makeGoModule(fixture: GoModuleFixture = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-mod-'));
  fs.writeFileSync(path.join(dir, 'go.mod'), fixture.goMod ?? 'module example.com/svc\n\ngo 1.22\n');
  for (const [rel, text] of Object.entries(fixture.files ?? { 'main.go': MAIN_WITH_VERSION })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  if (fixture.git ?? true) {
    const date = fixture.commitDate ?? '2026-01-02T03:04:05Z';
    const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe', encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'init');
  }
  return dir;
}

/** The HEAD commit of a fixture repository. */
export function headCommit(dir: string): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

const COMMITTER = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

/** Writes `files` (paths relative to `root`) into `root`, creating folders. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/** A new git repository in a temporary folder with `files` committed (at `date`). */
export function makeRepo(files: Readonly<Record<string, string>>, date = '2026-01-02T03:04:05Z'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-repo-'));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  commitFiles(dir, files, date);
  return dir;
}

/** Writes `files` into the repository at `dir` and commits them; returns the new commit. */
export function commitFiles(dir: string, files: Readonly<Record<string, string>>, date = '2026-01-03T03:04:05Z'): string {
  writeFiles(dir, files);
  const env = { ...process.env, ...COMMITTER, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-qm', 'change'], { cwd: dir, env });
  return headCommit(dir);
}

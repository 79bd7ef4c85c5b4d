import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { clearGitCache, gitState } from '../../lib/image/git';
import { clearGoModuleCache, inspectMainPackage, readGoModule } from '../../lib/image/go-module';
import { ValidationError } from '../../lib/model/errors';
import { makeGoModule, makeRepo } from '../support/go-module';

// Counts git runs, and runs them.
jest.mock('child_process', () => {
  const actual = jest.requireActual('child_process');
  return { ...actual, execFileSync: jest.fn(actual.execFileSync) };
});

beforeEach(() => {
  clearGitCache();
  clearGoModuleCache();
});

describe('what an image reads from its sources is read once per directory', () => {
  test('git is asked once for a directory outside any repository, and every image hears the same error', () => {
    // GIVEN a module that is not in a git work tree
    const dir = makeGoModule({ git: false });
    const runs = jest.mocked(execFileSync);
    runs.mockClear();
    // WHEN three images ask
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        gitState(dir);
      } catch (e) {
        errors.push(e);
      }
    }
    // THEN git ran once, and each call failed the same way
    expect(runs.mock.calls.filter(([cmd]) => cmd === 'git')).toHaveLength(1);
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).why).toContain('is not in a git work tree');
    }
  });

  test('go.mod and the main package are read once per directory until the cache is cleared', () => {
    // GIVEN a module
    const dir = makeGoModule({ goMod: 'module example.com/a\n\ngo 1.21\n', git: false });
    const first = readGoModule(dir);
    expect(inspectMainPackage(first.dir, '.')).toEqual({ declaresVersion: true });
    // WHEN the module changes on disk
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/a\n\ngo 1.22\n');
    fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
    // THEN the memoized reads stand until the cache is cleared
    expect(readGoModule(dir)).toBe(first);
    expect(inspectMainPackage(first.dir, '.')).toEqual({ declaresVersion: true });
    clearGoModuleCache();
    expect(readGoModule(dir).go).toBe('1.22');
    expect(inspectMainPackage(first.dir, '.')).toEqual({ declaresVersion: false });
  });

  test('images with the same inputs ask git once; another input set asks once more', () => {
    // GIVEN a repository with two modules
    const repo = makeRepo({ 'a/go.mod': 'module example.com/a\n\ngo 1.22\n', 'b/go.mod': 'module example.com/b\n\ngo 1.22\n' });
    const runs = jest.mocked(execFileSync);
    runs.mockClear();
    const gitRuns = () => runs.mock.calls.filter(([cmd]) => cmd === 'git').length;
    // WHEN three images of module a (./cmd/api, ./cmd/worker, …) read their state
    const first = gitState(repo, ['a']);
    const perSet = gitRuns();
    gitState(repo, ['a']);
    gitState(repo, ['a']);
    // THEN git ran for the first only
    expect(gitRuns()).toBe(perSet);
    expect(perSet).toBe(4); // log, status, and per repository its origin and where a shallow clone ends
    // WHEN an image with other inputs reads its state
    const other = gitState(repo, ['a', 'b']);
    // THEN git runs once more for that set (log and status; origin and shallow file are known), and both see the same commit
    expect(gitRuns()).toBe(perSet + 2);
    expect(other.commit).toBe(first.commit);
  });
});

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage, ImageTag } from '../../lib';
import { clearGitCache } from '../../lib/image/git';
import { clearInputDigestCache } from '../../lib/image/input-digest';
import { commitFiles, headCommit, MAIN_WITH_VERSION, makeRepo } from '../support/go-module';

beforeEach(() => {
  clearGitCache();
  clearInputDigestCache();
});

/** A monorepo whose history is: init, docs, a change to services/api, docs again. */
function history(): { repo: string; apiChange: string } {
  const repo = makeRepo({
    'services/api/go.mod': 'module example.com/api\n\ngo 1.22\n',
    'services/api/main.go': MAIN_WITH_VERSION,
    'docs/README.md': 'docs\n',
  });
  commitFiles(repo, { 'docs/README.md': 'docs 2\n' }, '2026-01-03T00:00:00Z');
  const apiChange = commitFiles(repo, { 'services/api/main.go': `${MAIN_WITH_VERSION}// v2\n` }, '2026-01-04T00:00:00Z');
  commitFiles(repo, { 'docs/README.md': 'docs 3\n' }, '2026-01-05T00:00:00Z');
  return { repo, apiChange };
}

/** A clone of `repo` into a new folder, `--depth N` when given. */
function clone(repo: string, depth?: number): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-clone-')), 'repo');
  execFileSync('git', ['clone', '-q', ...(depth ? ['--depth', String(depth)] : []), `file://${repo}`, dir], { stdio: 'pipe' });
  return dir;
}

function apiImage(repo: string, tag?: ImageTag): GoStaticImage {
  return new GoStaticImage(Testing.chart(), 'image', { context: path.join(repo, 'services/api'), repository: 'ghcr.io/acme/api', tag });
}

describe('tags in shallow clones', () => {
  test('fails if a shallow clone ends before the last change of the inputs, naming the fix', () => {
    // GIVEN CI's default checkout: one commit deep, a docs-only commit
    const { repo } = history();
    const shallow = clone(repo, 1);
    // WHEN / THEN synth refuses to tag the docs commit
    expect(() => apiImage(shallow)).toThrow(/\[.*image\] tag: .*shallow clone.*last commit git sees touching \. is [0-9a-f]{12}, where the fetched history ends/);
    expect(() => apiImage(shallow)).toThrow(/git fetch --unshallow.*fetch-depth: 0.*ImageTag\.inputDigest\(\)/);
  });

  test('a full clone tags the commit that changed the service, not HEAD', () => {
    const { repo, apiChange } = history();
    const full = clone(repo);
    expect(headCommit(full)).not.toBe(apiChange);
    expect(apiImage(full).tag).toBe(apiChange.slice(0, 7));
  });

  test('a shallow clone deep enough to hold the last change tags it', () => {
    // GIVEN three commits deep: docs, the api change, docs (where the history ends)
    const { repo, apiChange } = history();
    const shallow = clone(repo, 3);
    // THEN the tag is the api change, as in a full clone
    expect(apiImage(shallow).tag).toBe(apiChange.slice(0, 7));
  });
});

describe('ImageTag.inputDigest()', () => {
  test('needs no history: a depth-1 clone and a full clone get the same tag', () => {
    const { repo } = history();
    const full = apiImage(clone(repo), ImageTag.inputDigest());
    clearGitCache();
    const shallow = apiImage(clone(repo, 1), ImageTag.inputDigest());
    expect(full.tag).toMatch(/^inputs-[0-9a-f]{16}$/);
    expect(shallow.tag).toBe(full.tag);
  });

  test('changes with a source file or a build setting, not with docs, tests or ignored files', () => {
    // GIVEN a module with its own .dockerignore
    const { repo } = history();
    fs.writeFileSync(path.join(repo, 'services/api/.dockerignore'), 'examples/\n');
    const before = apiImage(repo, ImageTag.inputDigest()).tag;
    const again = () => {
      clearInputDigestCache();
      return apiImage(repo, ImageTag.inputDigest()).tag;
    };
    // WHEN files the build does not read change, THEN the tag stays
    fs.writeFileSync(path.join(repo, 'docs/README.md'), 'other docs\n');
    fs.writeFileSync(path.join(repo, 'services/api/main_test.go'), 'package main\n');
    fs.mkdirSync(path.join(repo, 'services/api/examples'));
    fs.writeFileSync(path.join(repo, 'services/api/examples/x.go'), 'package examples\n');
    expect(again()).toBe(before);
    // WHEN a source file changes, THEN it changes
    fs.writeFileSync(path.join(repo, 'services/api/util.go'), 'package main\n');
    const withUtil = again();
    expect(withUtil).not.toBe(before);
    // AND a build setting changes it too
    clearInputDigestCache();
    const arm = new GoStaticImage(Testing.chart(), 'image', { context: path.join(repo, 'services/api'), tag: ImageTag.inputDigest(), builderImage: 'golang:1.22.5' });
    expect(arm.tag).not.toBe(withUtil);
  });

  test('works with no git at all', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-nogit-'));
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/x\n\ngo 1.22\n');
    fs.writeFileSync(path.join(dir, 'main.go'), MAIN_WITH_VERSION);
    const image = new GoStaticImage(Testing.chart(), 'image', { context: dir, tag: ImageTag.inputDigest() });
    expect(image.tag).toMatch(/^inputs-[0-9a-f]{16}$/);
    expect(image.revision).toBeUndefined();
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage, RollingDeployment } from '../../lib';
import { clearGitCache } from '../../lib/image/git';
import { commitFiles, headCommit, MAIN_WITH_VERSION, makeRepo } from '../support/go-module';

beforeEach(() => clearGitCache());

const goMod = (module: string, extra = '') => `module ${module}\n\ngo 1.22\n${extra}`;

/** api replaces example.com/strutil with libs/strutil; worker is another service; docs/ is nobody's input. */
function monorepo(): string {
  return makeRepo({
    'libs/strutil/go.mod': goMod('example.com/strutil'),
    'libs/strutil/strutil.go': 'package strutil\n',
    'services/api/go.mod': goMod('example.com/api', '\nrequire example.com/strutil v0.0.0\n\nreplace example.com/strutil => ../../libs/strutil\n'),
    'services/api/main.go': MAIN_WITH_VERSION,
    'services/worker/go.mod': goMod('example.com/worker'),
    'services/worker/main.go': MAIN_WITH_VERSION,
    'docs/README.md': 'docs\n',
  });
}

/** The api image and its pod template, read fresh from the repository. */
function api(repo: string): { tag: string; revision?: string; template: unknown } {
  clearGitCache();
  const chart = Testing.chart();
  const image = new GoStaticImage(chart, 'image', { context: path.join(repo, 'services/api'), repository: 'ghcr.io/acme/api' });
  new RollingDeployment(chart, 'api', { image });
  const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment');
  return { tag: image.tag, revision: image.revision, template: deployment.spec.template };
}

describe('monorepo-aware tags', () => {
  test('the tag is the last commit that changed the module or a folder it replaces, not HEAD', () => {
    // GIVEN the first commit, then a commit to another service and one to docs
    const repo = monorepo();
    const first = headCommit(repo);
    const before = api(repo);
    commitFiles(repo, { 'services/worker/main.go': `${MAIN_WITH_VERSION}// worker change\n` });
    commitFiles(repo, { 'docs/README.md': 'more docs\n' });
    // WHEN
    const after = api(repo);
    // THEN neither the tag nor the pod template changed: the api does not roll
    expect(headCommit(repo)).not.toBe(first);
    expect(after).toEqual(before);
    expect(after.tag).toBe(first.slice(0, 7));
    expect(after.revision).toBe(first);
  });

  test('a commit to the replaced library retags the image and changes its pod template', () => {
    // GIVEN
    const repo = monorepo();
    const before = api(repo);
    // WHEN the shared library changes
    const change = commitFiles(repo, { 'libs/strutil/strutil.go': 'package strutil\n\nconst X = 1\n' });
    // THEN
    const after = api(repo);
    expect(after.tag).toBe(change.slice(0, 7));
    expect(after.template).not.toEqual(before.template);
  });

  test('-dirty only when the inputs have uncommitted changes', () => {
    // GIVEN uncommitted changes in another service
    const repo = monorepo();
    fs.writeFileSync(path.join(repo, 'services/worker/new.go'), 'package main\n');
    // THEN the api is clean
    expect(api(repo).tag).toBe(headCommit(repo).slice(0, 7));
    // WHEN the replaced library has an uncommitted change
    fs.writeFileSync(path.join(repo, 'libs/strutil/strutil.go'), 'package strutil\n\n// edited\n');
    // THEN the api is dirty
    expect(api(repo).tag).toBe(`${headCommit(repo).slice(0, 7)}-dirty`);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage } from '../../lib';
import { DockerIgnore } from '../../lib/image/dockerignore';
import { makeGoModule } from '../support/go-module';

describe('DockerIgnore', () => {
  test.each([
    ['.env', '.env', true],
    ['.env', 'sub/.env', false],
    ['**/.env', 'sub/.env', true],
    ['examples', 'examples/a/b.go', true],
    ['*.md', 'README.md', true],
    ['*.md', 'docs/README.md', false],
    ['docs/**/*.png', 'docs/a/b/c.png', true],
    ['docs/**/*.png', 'docs/c.png', true],
    ['/.github/', '.github/workflows/x.yml', true],
    ['fil?.go', 'file.go', true],
    ['[a-c].go', 'b.go', true],
  ])('%s matches %s: %s', (pattern, rel, excluded) => {
    expect(new DockerIgnore([pattern]).excludes(rel)).toBe(excluded);
  });

  test('the last matching pattern wins, and ! re-includes', () => {
    const rules = new DockerIgnore(['*.md', '!README.md', 'docs']);
    expect(rules.excludes('CHANGES.md')).toBe(true);
    expect(rules.excludes('README.md')).toBe(false);
    expect(rules.excludes('docs/README.md')).toBe(true);
  });

  test('parse drops comments and blank lines', () => {
    expect(DockerIgnore.parse('# c\n\n .github/ \n!keep\n')).toEqual(['.github', '!keep']);
  });
});

describe("the context's own .dockerignore", () => {
  test("is merged into goship's ignore file, before goship's own patterns", () => {
    // GIVEN a module that keeps .github, examples and .env out of its builds
    const dir = makeGoModule();
    fs.writeFileSync(path.join(dir, '.dockerignore'), '# ours\n.github/\nexamples/\n.env\n!.git\n');
    // WHEN
    const ignore = new GoStaticImage(Testing.chart(), 'image', { context: dir, tag: 'v1' }).renderDockerignore();
    // THEN its patterns are there, and goship's .git comes after its '!.git'
    const lines = ignore.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['.github', 'examples', '.env']));
    expect(lines.lastIndexOf('.git')).toBeGreaterThan(lines.indexOf('!.git'));
    const rules = new DockerIgnore(DockerIgnore.parse(ignore));
    expect(['.env', '.github/workflows/ci.yml', 'examples/x/main.go', '.git/HEAD', 'x_test.go'].filter((f) => !rules.excludes(f))).toEqual([]);
    expect(rules.excludes('main.go')).toBe(false);
  });

  test('without one, the ignore file is goship\'s alone', () => {
    const ignore = new GoStaticImage(Testing.chart(), 'image', { context: makeGoModule(), tag: 'v1' }).renderDockerignore();
    expect(ignore).not.toContain("context's own");
  });
});

import { ValidationError } from '../../lib';
import { imageRepository, imageTag, parseImageReference } from '../../lib/model/image-ref';

describe('image references', () => {
  test.each([
    'hello',
    'team/hello',
    'registry.example.com/team/hello',
    'localhost:5000/hello',
    '127.0.0.1:5000/a/b/c',
    'ghcr.io/acme/my_app.v2__x--y',
  ])('accepts the repository %s', (repo) => {
    expect(imageRepository('repository', repo)).toBe(repo);
  });

  test.each([
    ['Hello', /not a valid image repository/],
    ['team/Hello', /not a valid image repository/],
    ['hello:1.0', /a repository has no tag or digest/],
    ['hello@sha256:abc', /a repository has no tag or digest/],
    ['-hello', /not a valid image repository/],
    ['team//hello', /not a valid image repository/],
    ['', /not a valid image repository/],
    [`a/${'b'.repeat(260)}`, /not a valid image repository/],
  ])('fails if the repository is %s', (repo, why) => {
    expect(() => imageRepository('repository', repo)).toThrow(why);
  });

  test('tags follow the grammar and are never latest', () => {
    expect(imageTag('tag', 'v1.2.3')).toBe('v1.2.3');
    expect(imageTag('tag', 'a'.repeat(128))).toHaveLength(128);
    expect(() => imageTag('tag', 'a'.repeat(129))).toThrow(/not a valid image tag/);
    expect(() => imageTag('tag', '.hidden')).toThrow(/not a valid image tag/);
    expect(() => imageTag('tag', 'v1+build')).toThrow(/not a valid image tag/);
    expect(() => imageTag('tag', 'latest')).toThrow(/'latest' is mutable/);
    expect(() => imageTag('tag', 'LATEST')).toThrow(/'latest' is mutable/);
  });

  test('full references need a tag or a digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference('image', 'localhost:5000/hello:v1')).toEqual({ repository: 'localhost:5000/hello', tag: 'v1', digest: undefined });
    expect(parseImageReference('image', `hello@${digest}`)).toEqual({ repository: 'hello', tag: undefined, digest });
    expect(parseImageReference('image', `hello:v1@${digest}`)).toEqual({ repository: 'hello', tag: 'v1', digest });
    expect(() => parseImageReference('image', 'localhost:5000/hello')).toThrow(/untagged reference means :latest/);
    expect(() => parseImageReference('image', 'hello:latest')).toThrow(/'latest' is mutable/);
    expect(() => parseImageReference('image', 'hello@sha256:xyz')).toThrow(/not a sha256 digest/);
  });

  test('fails if a reference is not a plain string (an unresolved Output or token)', () => {
    const output = { apply: () => undefined, __pulumiOutput: true };
    expect(() => imageRepository('repository', output)).toThrow(ValidationError);
    expect(() => imageRepository('repository', output)).toThrow(/known at synth time/);
  });
});

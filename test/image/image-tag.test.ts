import { ImageTag } from '../../lib';
import { tagText } from '../../lib/image/resolve-image';

describe('ImageTag', () => {
  const git = { commit: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', commitDate: '20261128', commitTime: '2026-11-28T10:04:05Z', dirty: false };
  const noDigest = (): string => {
    throw new Error('asked for the input digest');
  };

  test('gitCommit is the short commit, -dirty with uncommitted changes', () => {
    expect(tagText(ImageTag.gitCommit(), () => git, noDigest)).toBe('1a2b3c4');
    expect(tagText(ImageTag.gitCommit(), () => ({ ...git, dirty: true }), noDigest)).toBe('1a2b3c4-dirty');
  });

  test('gitCommitDated is build-<sha8>-<commit date>', () => {
    expect(tagText(ImageTag.gitCommitDated(), () => git, noDigest)).toBe('build-1a2b3c4d-20261128');
  });

  test('inputDigest is inputs-<16 hex> of the digest, and never asks git', () => {
    expect(tagText(ImageTag.inputDigest(), () => {
      throw new Error('asked git');
    }, () => '3f9a0c2e7b1d4a65'.padEnd(64, '0'))).toBe('inputs-3f9a0c2e7b1d4a65');
  });

  test('a fixed tag never asks git', () => {
    expect(tagText(ImageTag.of('v1.4.2'), () => { throw new Error('asked git'); }, noDigest)).toBe('v1.4.2');
  });

  test('fails if the fixed tag is latest', () => {
    expect(() => ImageTag.of('latest')).toThrow(/^tag: 'latest' — 'latest' is mutable/);
  });
});

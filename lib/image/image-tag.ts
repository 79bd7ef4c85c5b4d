import { imageTag } from '../model/image-ref';

/** The git facts a tag can be derived from (see `gitState` in lib/image/git.ts). */
export interface TagSource {
  readonly commit: string;
  readonly commitDate: string;
  readonly dirty: boolean;
}

/**
 * How an image is tagged. Tags are immutable names of one build; `latest` is refused.
 *
 * @example
 * ImageTag.gitCommit()          // '1a2b3c4', or '1a2b3c4-dirty' with uncommitted changes
 * ImageTag.gitCommitDated()     // 'build-1a2b3c4d-20261128'
 * ImageTag.of('v1.4.2')
 */
export class ImageTag {
  /**
   * The short (7-hex) hash of the last commit that changed the image's inputs (its module and
   * the replaced or workspace modules it builds from, not HEAD), with `-dirty` when those
   * inputs have uncommitted changes.
   */
  public static gitCommit(): ImageTag {
    return new ImageTag((git) => `${git.commit.slice(0, 7)}${git.dirty ? '-dirty' : ''}`);
  }

  /** `build-<sha8>-<yyyymmdd>` from that commit and its commit date (not today: builds stay reproducible), `-dirty` likewise. */
  public static gitCommitDated(): ImageTag {
    return new ImageTag((git) => `build-${git.commit.slice(0, 8)}-${git.commitDate}${git.dirty ? '-dirty' : ''}`);
  }

  /** A fixed tag, validated against the reference grammar. */
  public static of(tag: string): ImageTag {
    const checked = imageTag('tag', tag);
    return new ImageTag(() => checked, checked);
  }

  private constructor(
    private readonly derive: (git: TagSource) => string,
    /** The tag when it is fixed; undefined when it comes from git. */
    public readonly fixed?: string,
  ) {}

  /** True when the tag is read from git. */
  public get fromGit(): boolean {
    return this.fixed === undefined;
  }

  /** The tag text. `git` is called only for git-derived tags. */
  public resolve(git: () => TagSource): string {
    return this.fixed ?? imageTag('tag', this.derive(git()));
  }
}

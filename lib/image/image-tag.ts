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
 * ImageTag.inputDigest()        // 'inputs-3f9a0c2e7b1d4a65': no git history needed
 * ImageTag.of('v1.4.2')
 */
export class ImageTag {
  /**
   * The short (7-hex) hash of the last commit that changed the image's inputs (its module and
   * the replaced or workspace modules it builds from, not HEAD), with `-dirty` when those
   * inputs have uncommitted changes.
   */
  public static gitCommit(): ImageTag {
    return new ImageTag(({ git }) => `${git.commit.slice(0, 7)}${git.dirty ? '-dirty' : ''}`);
  }

  /** `build-<sha8>-<yyyymmdd>` from that commit and its commit date (not today: builds stay reproducible), `-dirty` likewise. */
  public static gitCommitDated(): ImageTag {
    return new ImageTag(({ git }) => `build-${git.commit.slice(0, 8)}-${git.commitDate}${git.dirty ? '-dirty' : ''}`);
  }

  /**
   * `inputs-<16 hex>`: the start of a sha256 over what the build reads (every file of the
   * context the ignore file leaves in: path, executable bit, content) and the build settings
   * (builder, platforms, flags, runtime), as Skaffold's `inputDigest` tagger does. Needs no git
   * history, so a shallow clone (CI's default checkout) gives the same tag as a full one, and
   * rebuilding unchanged inputs on another branch gives the same tag. It costs one read of the
   * inputs at synth, and the tag no longer names a commit (the revision label still does, when
   * git knows it).
   */
  public static inputDigest(): ImageTag {
    return new ImageTag(({ inputDigest }) => `inputs-${inputDigest().slice(0, 16)}`, undefined, 'inputs');
  }

  /** A fixed tag, validated against the reference grammar. */
  public static of(tag: string): ImageTag {
    const checked = imageTag('tag', tag);
    return new ImageTag(() => checked, checked, 'fixed');
  }

  private constructor(
    private readonly derive: (sources: { git: TagSource; inputDigest: () => string }) => string,
    /** The tag when it is fixed; undefined when it is derived. */
    public readonly fixed?: string,
    private readonly kind: 'git' | 'inputs' | 'fixed' = 'git',
  ) {}

  /** True when the tag is read from git. */
  public get fromGit(): boolean {
    return this.kind === 'git';
  }

  /** True when the tag is a digest of the build's inputs. */
  public get fromInputs(): boolean {
    return this.kind === 'inputs';
  }

  /**
   * The tag text. `git` is called only for git-derived tags, `inputDigest` (the hex sha256 of
   * the build's inputs) only for {@link ImageTag.inputDigest}.
   */
  public resolve(git: () => TagSource, inputDigest: () => string = () => {
    throw new Error('ImageTag.inputDigest() needs the digest of the build inputs');
  }): string {
    return this.fixed ?? imageTag('tag', this.derive({ get git() {
      return git();
    }, inputDigest }));
  }
}

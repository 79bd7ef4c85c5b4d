import { imageTag } from '../model/image-ref';

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
    return new ImageTag('gitCommit');
  }

  /** `build-<sha8>-<yyyymmdd>` from that commit and its commit date (not today: builds stay reproducible), `-dirty` likewise. */
  public static gitCommitDated(): ImageTag {
    return new ImageTag('gitCommitDated');
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
    return new ImageTag('inputDigest');
  }

  /** A fixed tag, validated against the reference grammar. */
  public static of(tag: string): ImageTag {
    return new ImageTag('fixed', imageTag('tag', tag));
  }

  private constructor(
    /** Where the tag comes from: the inputs' last commit, that commit and its date, a digest of the inputs, or a fixed text. */
    public readonly kind: 'gitCommit' | 'gitCommitDated' | 'inputDigest' | 'fixed',
    /** The tag when it is fixed; undefined when it is derived at synth. */
    public readonly fixed?: string,
  ) {}
}

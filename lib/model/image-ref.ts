import { plainString, ValidationError } from './errors';

/*
 * The distribution reference grammar (github.com/distribution/reference):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain '/'] remote-name
 *   domain     := host [ ":" port-number ]
 *   remote-name:= path-component ['/' path-component]*
 *   path-component := alpha-numeric [separator alpha-numeric]*
 *   separator  := /[_.]|__|[-]+/
 *   tag        := /[\w][\w.-]{0,127}/
 *   digest     := algorithm ":" hex (sha256: 64 hex digits)
 */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;


/** Validates an image repository such as `registry.example.com/team/hello` (no tag, no digest). */
export function imageRepository(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.includes('@') || (v.split('/').pop() ?? '').includes(':')) {
    throw ValidationError.invalid(prop, v, 'a repository has no tag or digest', "give the tag in 'tag', e.g. repository 'ghcr.io/acme/hello'");
  }
  if (v.length === 0 || v.length > MAX_NAME_LENGTH || !REPOSITORY.test(v)) {
    throw ValidationError.invalid(prop, v, `not a valid image repository (lower-case path components of a-z, 0-9 and separators . _ __ -, an optional registry host[:port] first, at most ${MAX_NAME_LENGTH} characters)`, "use e.g. 'registry.example.com/team/hello'");
  }
  return v;
}

/** Validates an image tag: 1-128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`, and never `latest`. */
export function imageTag(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (!TAG.test(v)) {
    throw ValidationError.invalid(prop, v, 'not a valid image tag (1-128 characters of letters, digits, _, . and -, not starting with . or -)', "use the git commit, e.g. '1a2b3c4', or leave tag unset to derive it from git");
  }
  if (v.toLowerCase() === 'latest') {
    throw ValidationError.invalid(prop, v, "'latest' is mutable: nodes cache it, rollbacks and audits cannot tell versions apart, and a rollout may not even pull the new image", 'leave tag unset to derive it from the git commit, or pin a version such as v1.4.2');
  }
  return v;
}

/** Validates a `sha256:` digest. */
export function imageDigest(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (!DIGEST.test(v)) {
    throw ValidationError.invalid(prop, v, "not a sha256 digest ('sha256:' and 64 lower-case hex digits)", "copy it from the registry, e.g. 'sha256:3f2a…'");
  }
  return v;
}

/** A parsed image reference. */
export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Parses and validates a full reference: `repo:tag`, `repo@sha256:…` or `repo:tag@sha256:…`.
 * A reference with neither tag nor digest, or tagged `latest`, is rejected.
 */
export function parseImageReference(prop: string, value: unknown): ImageReference {
  const v = plainString(prop, value);
  const at = v.indexOf('@');
  const digest = at >= 0 ? imageDigest(prop, v.slice(at + 1)) : undefined;
  const nameAndTag = at >= 0 ? v.slice(0, at) : v;
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  try {
    imageRepository(prop, repository);
    if (tag !== undefined) imageTag(prop, tag);
  } catch (e) {
    if (e instanceof ValidationError) {
      throw ValidationError.invalid(prop, v, e.why, e.fix);
    }
    throw e;
  }
  if (tag === undefined && digest === undefined) {
    throw ValidationError.invalid(prop, v, 'an untagged reference means :latest', "pin it with a tag or a digest, e.g. 'ghcr.io/acme/hello:1a2b3c4'");
  }
  return { repository, tag, digest };
}

/** Formats a reference back to text. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

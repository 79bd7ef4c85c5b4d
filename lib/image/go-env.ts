import { ValidationError } from '../model/errors';

const PATTERN = /^[A-Za-z0-9.*?[\]/_~-]+$/;
const FLAG = /^-{1,2}[a-z][a-z0-9.-]*(=[A-Za-z0-9._,:/=+@-]*)?$/;

/**
 * Validates `goProxy`: each entry `direct`, `off` or an http(s)/file URL, separated by `,` or `|`.
 * A URL with a user or password is refused: a credential in GOPROXY lands in the image config
 * of the builder stage and in every log. Pass it as a netrc secret.
 */
export function goProxy(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw ValidationError.invalid(prop, value, 'must be a GOPROXY list', "use e.g. 'https://goproxy.example.com,direct'");
  }
  for (const entry of value.split(/[,|]/)) {
    if (entry === 'direct' || entry === 'off') {
      continue;
    }
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw ValidationError.invalid(prop, value, `'${entry}' is not a URL, 'direct' or 'off'`, "use e.g. 'https://goproxy.example.com,direct'");
    }
    if (url.username !== '' || url.password !== '') {
      throw ValidationError.invalid(prop, `${url.protocol}//***@${url.host}${url.pathname}`, 'holds a credential, which would be written into the Dockerfile, the builder image and the build logs', "remove it from the URL and pass it as a secret: secrets: [BuildSecret.netrc()] with 'machine <host[:port]> login <user> password <token>'");
    }
    if (!['https:', 'http:', 'file:'].includes(url.protocol) || /["'$`\\\s]/.test(entry)) {
      throw ValidationError.invalid(prop, value, `'${entry}' is not an http(s) or file URL`, "use e.g. 'https://goproxy.example.com'");
    }
  }
  return value;
}

/** Validates a module path pattern list (GOPRIVATE, GONOSUMDB): glob patterns, joined with `,`. */
export function goPatterns(prop: string, value: unknown): string {
  if (!Array.isArray(value) || value.length === 0 || value.some((p) => typeof p !== 'string' || !PATTERN.test(p))) {
    throw ValidationError.invalid(prop, value, 'must be a non-empty list of module path patterns (letters, digits, . / _ - ~ and the glob characters * ? [ ])', "use e.g. ['git.example.com', '*.corp.example.com']");
  }
  return value.join(',');
}

/** Validates `goFlags`: flags such as `-mod=mod` or `-buildvcs=false`, joined with spaces. */
export function goFlags(prop: string, value: unknown): string {
  if (!Array.isArray(value) || value.length === 0 || value.some((f) => typeof f !== 'string' || !FLAG.test(f))) {
    throw ValidationError.invalid(prop, value, 'must be a non-empty list of go flags, each one word such as -mod=mod (GOFLAGS splits on spaces)', "use e.g. ['-mod=mod']");
  }
  return value.join(' ');
}

import { ElfInfo, findSection, firstDataSegment } from './elf';

/** Go build info that is present but cannot be read: malformed, or from Go before 1.18. */
export class BuildInfoError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'BuildInfoError';
  }
}

/** A module in a Go binary's build info. */
export interface GoModule {
  /** Module path, e.g. `golang.org/x/net`. */
  readonly path: string;
  /** Version, e.g. `v0.17.0`, or `(devel)` for the main module built from a work tree. */
  readonly version: string;
  /** go.sum hash, e.g. `h1:…`; empty for the main module. */
  readonly sum: string;
  /** The module that replaced it (a `replace` directive), if any. */
  readonly replace?: GoModule;
}

/** What `go version -m` prints: the toolchain, the main module and the build settings. */
export interface GoBuildInfo {
  /** The toolchain that built it, e.g. `go1.19.8`. */
  readonly goVersion: string;
  /** The main package's import path, e.g. `example.com/hello/cmd/server`. */
  readonly path?: string;
  /** The main module. */
  readonly main?: GoModule;
  /** Every dependency module linked in. */
  readonly deps: readonly GoModule[];
  /**
   * Build settings by key, in the order Go wrote them: `CGO_ENABLED`, `GOOS`, `GOARCH`,
   * `GOARM`, `GOAMD64`, `-tags`, `-ldflags`, `-buildmode`, `-trimpath`, `vcs.revision`,
   * `vcs.modified`, …
   */
  readonly settings: Readonly<Record<string, string>>;
}

/** The 14 bytes that open the build-info blob, which is 16-byte aligned. */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
const HEADER_SIZE = 32;
/** Bytes after the start of the data segment that Go's linker puts the blob within. */
const DATA_SCAN = 64 * 1024;
/** Flag bit: the two strings follow the header inline (Go ≥ 1.18), instead of pointers. */
const FLAG_INLINE = 2;

/**
 * Finds and decodes the Go build info in a binary, as `go version -m` does: in the
 * `.go.buildinfo` section, else near the start of the first data segment, else anywhere
 * 16-byte aligned in the file.
 *
 * @param elf the file's {@link readElf} result, to look in the right place first
 * @returns undefined when there is no build info (not a Go binary)
 * @throws BuildInfoError when it is there but from Go < 1.18 or malformed
 * @example
 * const bi = readGoBuildInfo(bytes, readElf(bytes));
 * bi?.settings.CGO_ENABLED; // '0'
 */
export function readGoBuildInfo(buf: Uint8Array, elf?: ElfInfo): GoBuildInfo | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const at = findBlob(b, elf);
  if (at === undefined) {
    return undefined;
  }
  const flags = b[at + 15];
  if ((flags & FLAG_INLINE) === 0) {
    throw new BuildInfoError('unsupported Go < 1.18 build info (pointer format): rebuild with Go 1.18 or newer to have it read');
  }
  const version = readVarString(b, at + HEADER_SIZE, 'the Go version');
  const mod = readVarString(b, version.end, 'the module info');
  const goVersion = version.bytes.toString('utf8');
  if (!goVersion) {
    throw new BuildInfoError('the Go build info has an empty Go version');
  }
  // The module info is framed by two 16-byte sentinels; without them there is none.
  const modBytes = mod.bytes.length >= 33 && mod.bytes[mod.bytes.length - 17] === 0x0a
    ? mod.bytes.subarray(16, mod.bytes.length - 16)
    : Buffer.alloc(0);
  return { goVersion, ...parseModInfo(modBytes.toString('utf8')) };
}

/**
 * Parses the module-info text of a Go binary (the lines `path`, `mod`, `dep`, `=>` and `build`).
 *
 * @throws BuildInfoError naming the line that is malformed
 */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  let path: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings: Record<string, string> = {};
  let last: { set(m: GoModule): void; module: GoModule } | undefined;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new BuildInfoError(`malformed Go build info, line ${i + 1} (${JSON.stringify(line)}): ${why}`);
    };
    const [word, ...rest] = line.split('\t');
    const cols = rest.join('\t');
    if (word === 'path') {
      path = cols;
    } else if (word === 'mod' || word === 'dep') {
      if (rest.length !== 2 && rest.length !== 3) {
        fail(`expected 2 or 3 columns, got ${rest.length}`);
      }
      const module: GoModule = { path: rest[0], version: rest[1], sum: rest[2] ?? '' };
      if (word === 'mod') {
        main = module;
        last = { module, set: (m) => (main = m) };
      } else {
        const index = deps.push(module) - 1;
        last = { module, set: (m) => (deps[index] = m) };
      }
    } else if (word === '=>') {
      if (rest.length !== 3) {
        fail(`expected 3 columns for a replacement, got ${rest.length}`);
      }
      if (!last) {
        fail('a replacement with no module on the line before');
      }
      last!.set({ ...last!.module, replace: { path: rest[0], version: rest[1], sum: rest[2] } });
      last = undefined;
    } else if (word === 'build') {
      const [key, value] = parseSetting(cols, fail);
      settings[key] = value;
    }
  });
  return { path, main, deps, settings };
}

/** `key=value`, either side possibly Go-quoted (`-ldflags="-s -w"`). */
function parseSetting(kv: string, fail: (why: string) => never): [string, string] {
  let key: string;
  let raw: string;
  if (kv.startsWith('"') || kv.startsWith('`')) {
    const quoted = quotedPrefix(kv) ?? fail('invalid quoted key');
    if (kv[quoted.length] !== '=') {
      fail("missing '=' after the quoted key");
    }
    key = unquote(quoted) ?? fail('invalid quoted key');
    raw = kv.slice(quoted.length + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq <= 0) {
      fail(eq === 0 ? 'a setting with no key' : "missing '='");
    }
    key = kv.slice(0, eq);
    raw = kv.slice(eq + 1);
  }
  const value = raw.startsWith('"') || raw.startsWith('`') ? unquote(raw) ?? fail('invalid quoted value') : raw;
  return [key, value];
}

function findBlob(b: Buffer, elf?: ElfInfo): number | undefined {
  const regions: Array<[number, number]> = [];
  const section = elf && findSection(elf, '.go.buildinfo');
  if (section) {
    regions.push([section.offset, section.offset + section.size]);
  }
  const data = elf && firstDataSegment(elf);
  if (data) {
    regions.push([data.offset, data.offset + Math.min(data.filesz, DATA_SCAN)]);
  }
  regions.push([0, b.length]);
  for (const [start, end] of regions) {
    for (let i = b.indexOf(MAGIC, start); i >= 0 && i + HEADER_SIZE <= Math.min(end, b.length); i = b.indexOf(MAGIC, i + 1)) {
      if (i % ALIGN === 0) {
        return i;
      }
    }
  }
  return undefined;
}

/** A uvarint length followed by that many bytes. */
function readVarString(b: Buffer, offset: number, what: string): { bytes: Buffer; end: number } {
  let length = 0;
  let scale = 1;
  let i = offset;
  for (;; i++) {
    if (i >= b.length || i - offset >= 8) {
      throw new BuildInfoError(`truncated or corrupt Go build info: bad length of ${what}`);
    }
    length += (b[i] & 0x7f) * scale;
    scale *= 128;
    if ((b[i] & 0x80) === 0) {
      break;
    }
  }
  const start = i + 1;
  if (start + length > b.length) {
    throw new BuildInfoError(`truncated Go build info: ${what} (${length} bytes) runs past the end of the file`);
  }
  return { bytes: b.subarray(start, start + length), end: start + length };
}

/** The Go-quoted string at the start of `s` (`"…"` with escapes, or a raw `` `…` ``). */
function quotedPrefix(s: string): string | undefined {
  const q = s[0];
  for (let i = 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') {
      i++;
    } else if (s[i] === q) {
      return s.slice(0, i + 1);
    }
  }
  return undefined;
}

const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"',
};

/** Reverses Go's `strconv.Quote`; undefined when `s` is not exactly one quoted string. */
function unquote(s: string): string | undefined {
  if (s.length < 2 || s[s.length - 1] !== s[0] || quotedPrefix(s) !== s) {
    return undefined;
  }
  const body = s.slice(1, -1);
  if (s[0] === '`') {
    return body;
  }
  let bad = false;
  const out = body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    if (e.length === 1) {
      if (ESCAPES[e] === undefined) {
        bad = true;
      }
      return ESCAPES[e] ?? '';
    }
    const code = e[0] === 'x' || e[0] === 'u' || e[0] === 'U' ? parseInt(e.slice(1), 16) : parseInt(e, 8);
    return code > 0x10ffff ? ((bad = true), '') : String.fromCodePoint(code);
  });
  return bad ? undefined : out;
}

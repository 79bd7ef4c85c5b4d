import * as fs from 'fs';
import * as path from 'path';

/**
 * `.dockerignore` patterns, matched as BuildKit matches them: each pattern is anchored at the
 * context root, `*` and `?` stay within one path segment, `**` spans any number of segments,
 * a pattern that matches a folder matches everything under it, `!` re-includes, and the last
 * pattern that matches a path decides.
 */
export class DockerIgnore {
  /** The patterns of a `.dockerignore` text: comments and blank lines dropped, each trimmed and cleaned. */
  public static parse(text: string): string[] {
    return text.split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'))
      .map(cleanPattern)
      .filter((p) => p !== '' && p !== '!');
  }

  private readonly rules: { negate: boolean; re: RegExp; pattern: string }[];

  public constructor(patterns: readonly string[]) {
    this.rules = patterns.map(cleanPattern).filter((p) => p !== '' && p !== '!').map((p) => {
      const negate = p.startsWith('!');
      const pattern = negate ? p.slice(1) : p;
      return { negate, re: toRegExp(pattern), pattern };
    });
  }

  /** Whether a `!` pattern may re-include something under the folder `dir`, so an excluded `dir` must still be walked. */
  public mayReinclude(dir: string): boolean {
    const segments = dir.split('/');
    return this.rules.some((r) => {
      if (!r.negate) {
        return false;
      }
      const parts = r.pattern.split('/');
      for (let i = 0; i < segments.length; i++) {
        if (i >= parts.length || parts[i].includes('**')) {
          return true;
        }
        if (!toRegExp(parts[i]).test(segments[i])) {
          return false;
        }
      }
      return true;
    });
  }

  /** Whether `rel` (a path relative to the context, `/`-separated) is left out of the context. */
  public excludes(rel: string): boolean {
    const parents = rel.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (parents.some((p) => rule.re.test(p))) {
        excluded = !rule.negate;
      }
    }
    return excluded;
  }
}

/** The patterns of the `.dockerignore` at the root of `contextDir`, or none when there is no such file. */
export function contextIgnorePatterns(contextDir: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(contextDir, '.dockerignore'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw e;
  }
  return DockerIgnore.parse(text);
}

function cleanPattern(pattern: string): string {
  const negate = pattern.startsWith('!');
  let p = (negate ? pattern.slice(1) : pattern).trim();
  p = path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '.' || p === '') {
    return negate ? '!' : '';
  }
  return `${negate ? '!' : ''}${p}`;
}

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else {
        re += '.*';
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      re += pattern[i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

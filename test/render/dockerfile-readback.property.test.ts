import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { GoStaticImage, ValidationError } from '../../lib';
import { fromScope, goBuilds, scopeAt } from '../../lib/policy/dockerfile-model';
import { expand, parseAssignments, parseDockerfile } from '../../lib/policy/dockerfile-parse';
import { makeGoModule } from '../support/go-module';

/*
 * Every string a prop of GoStaticImage accepts, written by the Dockerfile renderer, reads back
 * identical through goship's Dockerfile parser (the reader `goship check` uses; the e2e suite
 * holds it to BuildKit's own parser): the tag as the VERSION build argument, the source label,
 * the module-access ENV values, the build tags and every link value in the go build's argv.
 * A prop either refuses a string with a ValidationError, or the string survives the trip.
 */

const moduleDir = makeGoModule();
/** How many cases each prop accepted: a property that only ever saw refusals proves nothing. */
const accepted = new Map<string, number>();
afterAll(() => {
  const props = ['tag', 'source', 'goProxy', 'goPrivate', 'goNoSumDb', 'goFlags', 'buildTags', 'linkValues'];
  expect(props.filter((p) => (accepted.get(p) ?? 0) < 10).map((p) => `${p}: ${accepted.get(p) ?? 0}`)).toEqual([]);
});

/** Strings that stress a Dockerfile: quotes, escapes, variables, blanks, line breaks, controls, non-ASCII. */
const hostile = fc.oneof(
  fc.constantFrom('a b', 'a\tb', '"', "'", '\\', '\\n', '$HOME', '${X}', '$', '`id`', '#', 'a=b', 'x\ny', 'x\r\ny', '\u2028', 'é', '日本', '--x', '-X', 'main.a=b',
    'a,b', 'a|b', ';', '&&', '(', '\u0000', '\u001b', ' lead', 'trail ', '', '*', '?', '[a]', '~', '.', '..', '/'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...'aZ09 .,:/=+@_-~*?[]"\'\\$`#\t\n'.split('')), maxLength: 12 }),
);
/** Mostly valid words (so most cases are accepted), now and then a hostile one. */
const word = (valid: RegExp) => fc.oneof({ weight: 3, arbitrary: fc.stringMatching(valid) }, { weight: 1, arbitrary: hostile });
const url = fc.tuple(fc.constantFrom('https://', 'http://', 'file:///', 'https://u@', ''), fc.constantFrom('git.example.com', 'h:8080', '[::1]'), hostile)
  .map(([scheme, host, rest]) => `${scheme}${host}/${rest}`);

/** The value of `name` in a Dockerfile's scope at the end of its first (builder) stage. */
function stageVar(text: string, name: string): string | undefined {
  const df = parseDockerfile(text);
  return scopeAt(df, df.stages[0]).vars.get(name);
}

/** The value of a LABEL key in the last stage, expanded as BuildKit expands it. */
function label(text: string, key: string): string | undefined {
  const df = parseDockerfile(text);
  const stage = df.stages[df.stages.length - 1];
  const ins = stage.instructions.find((i) => i.keyword === 'LABEL');
  const value = ins && parseAssignments(ins.args, false).get(key);
  return value === undefined ? undefined : expand(value, scopeAt(df, stage, stage.instructions.indexOf(ins!)).vars).text;
}

/** The go build's words, e.g. `-ldflags=…`, `-tags=…`. */
function buildArgv(text: string): readonly string[] {
  const df = parseDockerfile(text);
  return goBuilds(df, df.stages)[0].argv;
}

const GO_SPACE = /[ \t\n\r]/;

/** Splits flags as the go command splits -ldflags (cmd/internal/quoted.Split): blanks separate, '…' or "…" group. */
function goQuotedSplit(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length;) {
    if (GO_SPACE.test(s[i])) {
      i++;
    } else if (s[i] === "'" || s[i] === '"') {
      const end = s.indexOf(s[i], i + 1);
      out.push(s.slice(i + 1, end < 0 ? s.length : end));
      i = end < 0 ? s.length : end + 1;
    } else {
      let j = i;
      while (j < s.length && !GO_SPACE.test(s[j])) {
        j++;
      }
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** The image for `props`, or undefined when a prop refuses them with a ValidationError. */
function imageOrRefused(props: Partial<ConstructorParameters<typeof GoStaticImage>[2]>): GoStaticImage | undefined {
  try {
    const image = new GoStaticImage(Testing.chart(), 'image', { context: moduleDir, repository: 'registry.example.com/team/svc', ...props });
    for (const prop of Object.keys(props).filter((p) => p !== 'versionVariable')) {
      accepted.set(prop, (accepted.get(prop) ?? 0) + 1);
    }
    return image;
  } catch (e) {
    if (e instanceof ValidationError) {
      return undefined;
    }
    throw e;
  }
}

describe('the Dockerfile renderer, read back through the Dockerfile parser', () => {
  test('the image tag reads back as the VERSION build argument', () => {
    fc.assert(fc.property(hostile, (tag) => {
      const image = imageOrRefused({ tag });
      if (image) {
        expect(fromScope(parseDockerfile(image.renderDockerfile())).get('VERSION')).toBe(tag);
      }
    }), { numRuns: 400 });
  });

  test('the source URL reads back as the org.opencontainers.image.source label', () => {
    fc.assert(fc.property(url, (source) => {
      const image = imageOrRefused({ source });
      if (image) {
        expect(label(image.renderDockerfile(), 'org.opencontainers.image.source')).toBe(source);
      }
    }), { numRuns: 400 });
  });

  test('goProxy, goPrivate, goNoSumDb and goFlags read back as the builder stage ENV', () => {
    fc.assert(fc.property(url, fc.array(word(/^[a-z0-9.*?[\]/_~-]{1,12}$/), { minLength: 1, maxLength: 3 }), fc.array(word(/^-{1,2}[a-z][a-z0-9.-]{0,6}(=[A-Za-z0-9._,:/=+@-]{0,8})?$/), { minLength: 1, maxLength: 3 }), (proxy, patterns, flags) => {
      const props = { goProxy: `${proxy},direct`, goPrivate: patterns, goNoSumDb: patterns, goFlags: flags };
      for (const [prop, value] of Object.entries(props)) {
        const image = imageOrRefused({ [prop]: value });
        if (image) {
          const name = { goProxy: 'GOPROXY', goPrivate: 'GOPRIVATE', goNoSumDb: 'GONOSUMDB', goFlags: 'GOFLAGS' }[prop]!;
          expect(stageVar(image.renderDockerfile(), name)).toBe(Array.isArray(value) ? value.join(prop === 'goFlags' ? ' ' : ',') : value);
        }
      }
    }), { numRuns: 300 });
  });

  test('build tags and link values read back in the go build argv, as go splits -ldflags', () => {
    fc.assert(fc.property(fc.array(word(/^[A-Za-z0-9_.]{1,10}$/), { minLength: 1, maxLength: 3 }), hostile, word(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), (tags, literal, key) => {
      const tagged = imageOrRefused({ buildTags: tags });
      if (tagged) {
        const argv = buildArgv(tagged.renderDockerfile());
        expect(argv[argv.indexOf('-tags') + 1].split(',')).toEqual(expect.arrayContaining(tags));
      }
      const linked = imageOrRefused({ versionVariable: false, linkValues: { [`main.${key}`]: literal } });
      if (linked) {
        const ldflags = goQuotedSplit(buildArgv(linked.renderDockerfile()).find((w) => w.startsWith('-ldflags='))!.slice('-ldflags='.length));
        expect(ldflags.slice(ldflags.indexOf('-X') + 1)[0]).toBe(`main.${key}=${literal}`);
      }
    }), { numRuns: 300 });
  });
});

describe('defects the read-back found', () => {
  test('a link value with a tab is quoted for the go command, which splits -ldflags on tabs', () => {
    const df = imageOrRefused({ versionVariable: false, linkValues: { 'main.greeting': 'a\tb' } })!.renderDockerfile();
    expect(df).toContain("-X 'main.greeting=a\tb'");
  });

  test.each(['https://git.example.com/\t', 'https://git.example.com/a\rb', 'https://git.example.com/\u0085'])('fails if source %j holds a control character, which the label cannot carry', (source) => {
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: moduleDir, repository: 'registry.example.com/team/svc', source }))
      .toThrow(/source: [\s\S]* not a plain URL \(no quotes, backslashes, \$ or control characters\)/);
  });
});

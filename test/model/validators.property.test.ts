import * as fc from 'fast-check';
import { ValidationError } from '../../lib';
import { imageRepository, imageTag } from '../../lib/model/image-ref';
import { dns1035Label, dns1123Label, dns1123Subdomain, envVarName, labelKey, labelValue, portName } from '../../lib/model/names';

/*
 * Property-based tests: values built from the upstream grammars are accepted; values broken in
 * one known way are rejected with a message naming the prop. The oracles below are the
 * upstream regular expressions as written in k8s.io/apimachinery/pkg/util/validation and
 * github.com/distribution/reference, kept apart from goship's implementation.
 */
const UPSTREAM = {
  dns1123Label: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  dns1035Label: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  qualifiedName: /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/,
  labelValue: /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
  envVarName: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/,
  tag: /^[\w][\w.-]{0,127}$/,
  pathComponent: /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/,
};

const lowerAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const lowerAlpha = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split(''));
const mixedAlnum = fc.constantFrom(...'abcxyzABCXYZ0189'.split(''));

/** A DNS-1123 label built from its grammar: alnum, then alnum or '-', ending alnum; 1-63 chars. */
const dnsLabel = fc.tuple(lowerAlnum, fc.array(fc.constantFrom(...'abz09-'.split('')), { maxLength: 61 }), lowerAlnum)
  .map(([a, mid, z]) => (mid.length === 0 && a === z ? a : a + mid.join('') + z));
const dns1035 = fc.tuple(lowerAlpha, fc.array(fc.constantFrom(...'abz09-'.split('')), { maxLength: 61 }), lowerAlnum)
  .map(([a, mid, z]) => a + mid.join('') + z);
const qualified = fc.tuple(mixedAlnum, fc.array(fc.constantFrom(...'aZ9-_.'.split('')), { maxLength: 61 }), mixedAlnum)
  .map(([a, mid, z]) => a + mid.join('') + z);
const pathComponent = fc.array(fc.stringMatching(/^[a-z0-9]{1,5}$/), { minLength: 1, maxLength: 3 })
  .chain((parts) => fc.array(fc.constantFrom('.', '_', '__', '-', '--'), { minLength: parts.length - 1, maxLength: parts.length - 1 })
    .map((seps) => parts.map((p, i) => (i === 0 ? p : seps[i - 1] + p)).join('')));
const tag = fc.tuple(fc.stringMatching(/^\w$/), fc.stringMatching(/^[\w.-]{0,127}$/)).map(([a, b]) => a + b).filter((t) => t.toLowerCase() !== 'latest');

function rejects(fn: () => unknown, prop: string): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    return e instanceof ValidationError && e.message.startsWith(`${prop}: `);
  }
}

describe('validators accept what the upstream grammar accepts', () => {
  test('DNS-1123 labels', () => fc.assert(fc.property(dnsLabel, (v) => {
    expect(UPSTREAM.dns1123Label.test(v) && v.length <= 63).toBe(true);
    expect(dns1123Label('name', v)).toBe(v);
  })));

  test('DNS-1123 subdomains', () => fc.assert(fc.property(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), (labels) => {
    const v = labels.join('.');
    expect(dns1123Subdomain('name', v)).toBe(v);
  })));

  test('DNS-1035 labels', () => fc.assert(fc.property(dns1035, (v) => {
    expect(UPSTREAM.dns1035Label.test(v)).toBe(true);
    expect(dns1035Label('serviceName', v)).toBe(v);
  })));

  test('label keys and values', () => fc.assert(fc.property(fc.option(dnsLabel, { nil: undefined }), qualified, (prefix, name) => {
    expect(UPSTREAM.qualifiedName.test(name) && UPSTREAM.labelValue.test(name)).toBe(true);
    const key = prefix ? `${prefix}.io/${name}` : name;
    expect(labelKey('labels', key)).toBe(key);
    expect(labelValue('labels', name)).toBe(name);
  })));

  test('environment variable names', () => fc.assert(fc.property(fc.stringMatching(/^[-._a-zA-Z][-._a-zA-Z0-9]{0,30}$/), (v) => {
    expect(UPSTREAM.envVarName.test(v)).toBe(true);
    expect(envVarName('env', v)).toBe(v);
  })));

  test('image repositories and tags', () => fc.assert(fc.property(fc.array(pathComponent, { minLength: 1, maxLength: 3 }), fc.option(dnsLabel, { nil: undefined }), tag, (parts, host, t) => {
    expect(parts.every((p) => UPSTREAM.pathComponent.test(p))).toBe(true);
    expect(UPSTREAM.tag.test(t)).toBe(true);
    const repo = [...(host ? [`${host}.example.com:5000`] : []), ...parts].join('/');
    expect(imageRepository('repository', repo)).toBe(repo);
    expect(imageTag('tag', t)).toBe(t);
  })));

  test('IANA port names', () => fc.assert(fc.property(fc.stringMatching(/^[a-z]{1,5}(-[a-z0-9]{1,4}){0,2}$/), (v) => {
    expect(portName('ports', v)).toBe(v);
  })));
});

describe('validators reject values broken in a known way, naming the prop', () => {
  const breakers = {
    upper: (v: string) => v.slice(0, -1) + 'A',
    space: (v: string) => `${v} x`,
    leadingDash: (v: string) => `-${v}`,
    trailingDash: (v: string) => `${v}-`,
    tooLong: (v: string) => v.padEnd(64, 'a').padEnd(300, 'b'),
    slash: (v: string) => `${v}/`,
  };
  const brokenLabel = fc.tuple(dnsLabel, fc.constantFrom(...Object.values(breakers))).map(([v, b]) => b(v));

  test('DNS-1123 labels', () => fc.assert(fc.property(brokenLabel, (v) => {
    expect(UPSTREAM.dns1123Label.test(v) && v.length <= 63).toBe(false);
    expect(rejects(() => dns1123Label('name', v), 'name')).toBe(true);
  })));

  test('DNS-1035 labels also reject a leading digit', () => fc.assert(fc.property(fc.oneof(brokenLabel, dnsLabel.map((v) => `7${v}`.slice(0, 63))), (v) => {
    expect(UPSTREAM.dns1035Label.test(v) && v.length <= 63).toBe(false);
    expect(rejects(() => dns1035Label('serviceName', v), 'serviceName')).toBe(true);
  })));

  test('label values', () => fc.assert(fc.property(fc.tuple(qualified, fc.constantFrom(breakers.space, breakers.leadingDash, breakers.tooLong, breakers.slash)).map(([v, b]) => b(v)), (v) => {
    expect(UPSTREAM.labelValue.test(v) && v.length <= 63).toBe(false);
    expect(rejects(() => labelValue('labels', v), 'labels')).toBe(true);
  })));

  test('environment variable names', () => fc.assert(fc.property(fc.stringMatching(/^[0-9][A-Z_]{0,5}$|^[A-Z]{1,5}[=$ ][A-Z]{0,3}$/), (v) => {
    expect(UPSTREAM.envVarName.test(v)).toBe(false);
    expect(rejects(() => envVarName('env', v), 'env')).toBe(true);
  })));

  test('image tags', () => fc.assert(fc.property(fc.oneof(
    tag.map((t) => `.${t}`),
    tag.map((t) => `${t}+x`),
    tag.map((t) => t.padEnd(129, 'x')),
    fc.constantFrom('latest', 'Latest'),
  ), (v) => {
    expect(rejects(() => imageTag('tag', v), 'tag')).toBe(true);
  })));

  test('image repositories', () => fc.assert(fc.property(fc.oneof(
    pathComponent.map((p) => p.toUpperCase() + 'A'),
    pathComponent.map((p) => `${p}//${p}`),
    pathComponent.map((p) => `${p}:v1`),
    pathComponent.map((p) => `${p}-`),
  ), (v) => {
    expect(rejects(() => imageRepository('repository', v), 'repository')).toBe(true);
  })));

  test('values that are not plain strings (Pulumi Outputs, tokens)', () => fc.assert(fc.property(fc.oneof(fc.integer(), fc.object(), fc.constant(null), fc.boolean()), (v) => {
    for (const [fn, prop] of [[dns1123Label, 'name'], [labelValue, 'labels'], [imageRepository, 'repository'], [imageTag, 'tag']] as const) {
      expect(rejects(() => fn(prop, v), prop)).toBe(true);
    }
  })));
});

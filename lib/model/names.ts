import { plainString, ValidationError } from './errors';

/**
 * Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation), each as a function that
 * returns the value or throws a {@link ValidationError} naming the prop.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;


/** A DNS-1123 label (most object names, namespaces): at most 63 of `a-z0-9-`, alphanumeric at both ends. */
export function dns1123Label(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length === 0 || v.length > 63 || !DNS1123_LABEL.test(v)) {
    throw ValidationError.invalid(prop, v, 'not a DNS-1123 label (1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit)', `use e.g. '${toDns1123Label(v) || 'hello'}'`);
  }
  return v;
}

/** A DNS-1123 subdomain (ConfigMap and Secret names): at most 253 characters of dot-separated labels. */
export function dns1123Subdomain(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length === 0 || v.length > 253 || !v.split('.').every((l) => DNS1123_LABEL.test(l))) {
    throw ValidationError.invalid(prop, v, 'not a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, - and ., each dot-separated part starting and ending with a letter or digit)', `use e.g. '${toDns1123Label(v) || 'hello'}'`);
  }
  return v;
}

/** A DNS-1035 label (Service names): like DNS-1123 but starting with a letter. */
export function dns1035Label(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length === 0 || v.length > 63 || !DNS1035_LABEL.test(v)) {
    throw ValidationError.invalid(prop, v, 'not a DNS-1035 label (1-63 characters of a-z, 0-9 and -, starting with a letter and ending with a letter or digit)', `use e.g. '${toDns1035Label(v) || 'svc'}'`);
  }
  return v;
}

/** A label or annotation key: an optional DNS-1123 subdomain prefix and `/`, then a qualified name of at most 63 characters. */
export function labelKey(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  const slash = v.lastIndexOf('/');
  const prefix = slash >= 0 ? v.slice(0, slash) : undefined;
  const name = slash >= 0 ? v.slice(slash + 1) : v;
  const prefixOk = prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && prefix.split('.').every((l) => DNS1123_LABEL.test(l)));
  if (!prefixOk || name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    throw ValidationError.invalid(prop, v, "not a valid label key ([prefix/]name: name at most 63 characters of alphanumerics, '-', '_' and '.', prefix a DNS subdomain)", "use e.g. 'team' or 'example.com/team'");
  }
  return v;
}

/** A label value: empty, or at most 63 alphanumerics, `-`, `_` and `.`, alphanumeric at both ends. */
export function labelValue(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length > 63 || !LABEL_VALUE.test(v)) {
    throw ValidationError.invalid(prop, v, "not a valid label value (at most 63 characters of alphanumerics, '-', '_' and '.', starting and ending with an alphanumeric)", 'shorten it or replace the other characters with -');
  }
  return v;
}

/** An IANA service name (container and Service port names): 1-15 of `a-z0-9-`, with a letter, no `--`. */
export function portName(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length === 0 || v.length > 15 || !IANA_SVC_NAME.test(v) || v.includes('--') || !/[a-z]/.test(v)) {
    throw ValidationError.invalid(prop, v, 'not an IANA service name (1-15 characters of a-z, 0-9 and -, at least one letter, no leading, trailing or double -)', "use e.g. 'http'");
  }
  return v;
}

/** A TCP/UDP port number, 1-65535. */
export function portNumber(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw ValidationError.invalid(prop, value, 'not a port number', 'use a whole number from 1 to 65535, e.g. 8080');
  }
  return value;
}

/** An environment variable name as the API server accepts it (no `=`, not starting with a digit). */
export function envVarName(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (!ENV_VAR_NAME.test(v)) {
    throw ValidationError.invalid(prop, v, "not a valid environment variable name (letters, digits, '_', '-' and '.', not starting with a digit)", `use e.g. '${v.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[0-9]/, '_$&').toUpperCase() || 'NAME'}'`);
  }
  return v;
}

/** A ConfigMap or Secret key: at most 253 of alphanumerics, `-`, `_` and `.`. */
export function configMapKey(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length === 0 || v.length > 253 || !CONFIGMAP_KEY.test(v) || v === '.' || v === '..') {
    throw ValidationError.invalid(prop, v, "not a valid ConfigMap/Secret key (alphanumerics, '-', '_' and '.')", "use e.g. 'api-key'");
  }
  return v;
}

/** Lower-cases a construct id and turns everything else into `-`: `HelloWeb_1` becomes `hello-web-1`. */
export function toDns1123Label(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Like {@link toDns1123Label}, then drops leading digits so it starts with a letter. */
export function toDns1035Label(id: string): string {
  return toDns1123Label(id).replace(/^[0-9-]+/, '');
}

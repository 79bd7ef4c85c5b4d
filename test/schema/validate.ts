/**
 * Offline validation of synthesized Kubernetes objects against the Kubernetes 1.27 OpenAPI
 * schema, for any test to reuse.
 *
 * The schema comes from `kubernetes-models` 4.3.1 (a devDependency pinned exactly: its
 * schemas are Kubernetes v1.27.1, and it is CommonJS, so jest loads it as is). Each model
 * validates with ajv, the package's own validator. That catches wrong types, missing
 * required fields, bad enums and malformed quantities.
 *
 * The OpenAPI schema does not reject unknown fields (`maxSurg: 1` passes), but
 * `kubectl apply` does: since 1.27 it asks the API server for strict field validation. So a
 * second, strict pass re-checks every object with the same schemas and
 * `additionalProperties: false` on every object that lists its properties, and reports
 * only the unknown fields.
 *
 * Gateway API objects (gateway.networking.k8s.io) are checked with
 * `@kubernetes-models/gateway-api`, the same family's models of the Gateway API CRDs. That
 * package is an ES module, so it runs in a child `node` process, once per call.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

/** One object as synthesized: `apiVersion`, `kind`, `metadata` and the rest. */
export type Manifest = Record<string, unknown>;

type Schema = Record<string, unknown>;
type ModelClass = new (data: Manifest) => { validate(): void };

/**
 * Every schema the package registers, by id. `@kubernetes-models/validate` keeps its ajv
 * instance private; its `register(id, schema)` is the one door every schema passes through,
 * so it is wrapped here to keep a copy.
 */
const schemas = new Map<string, Schema>();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const registry = require('@kubernetes-models/validate') as { register: (id: string, schema: Schema) => void };
const register = registry.register;
/**
 * Fields goship writes that are newer than the 1.27 schema, by the schema they belong in:
 * `lifecycle.preStop.sleep` (KEP-3960: alpha in 1.29, beta and on by default in 1.30, GA in
 * 1.34). The cluster tests apply them to a real 1.34 API server with strict field validation.
 */
const NEWER_FIELDS: Readonly<Record<string, Schema>> = {
  'io.k8s.api.core.v1.LifecycleHandler': {
    sleep: { type: 'object', properties: { seconds: { type: 'integer', format: 'int64' } }, required: ['seconds'] },
  },
};
registry.register = (id: string, schema: Schema): void => {
  const newer = NEWER_FIELDS[id];
  const s = newer ? { ...schema, properties: { ...(schema.properties as Schema), ...newer } } : schema;
  schemas.set(id, s);
  register(id, s);
};

const strict = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const strictLoaded = new Set<string>();
const strictValidators = new Map<string, ValidateFunction>();

/**
 * Validates objects against the Kubernetes 1.27 schema; returns one line per problem, empty
 * when every object is valid.
 *
 * @example
 * expect(validateManifests(Testing.synth(chart))).toEqual([]);
 */
export function validateManifests(objects: readonly unknown[]): string[] {
  const gateway = objects.filter(isGatewayApi);
  return [
    ...objects.flatMap((o, i) => (isGatewayApi(o) ? [] : validateOne(o, i))),
    ...(gateway.length > 0 ? validateGatewayApi(gateway) : []),
  ];
}

function isGatewayApi(o: unknown): boolean {
  return typeof (o as Manifest)?.apiVersion === 'string' && ((o as Manifest).apiVersion as string).startsWith('gateway.networking.k8s.io/');
}

function validateGatewayApi(objects: readonly unknown[]): string[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'gateway-api.mjs')], { input: JSON.stringify(objects), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

function validateOne(object: unknown, index: number): string[] {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return [`#${index}: not an object`];
  }
  const manifest = object as Manifest;
  const { apiVersion, kind } = manifest;
  const metadata = manifest.metadata as { name?: unknown } | undefined;
  const where = `${String(kind)}/${String(metadata?.name ?? `#${index}`)}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${where}: apiVersion and kind must be strings`];
  }
  const model = loadModel(apiVersion, kind);
  if (!model) {
    return [`${where}: ${apiVersion} ${kind} is not a Kubernetes 1.27 kind`];
  }
  try {
    new model(manifest).validate();
  } catch (e) {
    const errors = (e as { errors?: ErrorObject[] }).errors;
    if (!errors) {
      return [`${where}: ${(e as Error).message}`];
    }
    return errors.map((err) => `${where}${err.instancePath || ''}: ${err.message ?? err.keyword}`);
  }
  return unknownFields(where, apiVersion, kind, manifest);
}

function loadModel(apiVersion: string, kind: string): ModelClass | undefined {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, ModelClass>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

function schemaId(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `io.k8s.api.${group.split('.')[0]}.${version}.${kind}`;
}

function unknownFields(where: string, apiVersion: string, kind: string, manifest: Manifest): string[] {
  const id = schemaId(apiVersion, kind);
  if (!schemas.has(id)) {
    return [`${where}: no schema ${id} was registered, so unknown fields cannot be checked`];
  }
  const validate = strictValidator(id);
  if (validate(manifest)) {
    return [];
  }
  return (validate.errors ?? [])
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => `${where}${e.instancePath}: unknown field '${String((e.params as { additionalProperty: string }).additionalProperty)}'`);
}

function strictValidator(id: string): ValidateFunction {
  for (const [sid, schema] of schemas) {
    if (!strictLoaded.has(sid)) {
      strict.addSchema(closed(schema) as Schema, sid);
      strictLoaded.add(sid);
    }
  }
  let v = strictValidators.get(id);
  if (!v) {
    v = strict.getSchema(id) as ValidateFunction;
    strictValidators.set(id, v);
  }
  return v;
}

/** A copy of `schema` where every object that lists its properties admits no others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(closed);
  }
  if (typeof schema !== 'object' || schema === null) {
    return schema;
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, closed(s)])) : closed(v);
  }
  if ('properties' in out && !('additionalProperties' in out) && !('x-kubernetes-preserve-unknown-fields' in out)) {
    out.additionalProperties = false;
  }
  return out;
}

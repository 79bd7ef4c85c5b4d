import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject } from '../render/workload';

/** A cdk8s ApiObject holding a rendered object, or nothing for an absent one. */
export function apiObject<T extends KubeObject | undefined>(scope: Construct, id: string, object: T): T extends KubeObject ? ApiObject : ApiObject | undefined;
export function apiObject(scope: Construct, id: string, object: KubeObject | undefined): ApiObject | undefined {
  // A deep copy, so an escape-hatch patch of the object never changes `manifests`.
  return object ? new ApiObject(scope, id, copyJson(object) as KubeObject) : undefined;
}
/**
 * A deep copy of rendered JSON data, as `JSON.parse(JSON.stringify(x))` makes it (undefined
 * properties dropped, undefined list items null) without the text in between: a quarter of
 * the construct time of thousands of deployments went into that round trip.
 */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => (v === undefined ? null : copyJson(v)));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) {
        out[k] = copyJson(v);
      }
    }
    return out;
  }
  return value;
}

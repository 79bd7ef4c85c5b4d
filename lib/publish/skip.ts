import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PublishPlan } from '../image/publish-plan';
import { RegistryRepo, RegistryRepoOptions } from '../registry/push';
import type { BaseRef } from './image';
import type { LayerEntry } from './layer';

/** What a no-change publish remembers per input key: the digest those inputs gave. */
export interface RecordedPublish {
  /** `repository:tag` it was pushed as. */
  readonly ref: string;
  /** The index or manifest digest the tag named after the push. */
  readonly digest: string;
  /** The runtime base it was built on, as the registry named it then (none for scratch). */
  readonly base?: BaseRef;
}

/** Options of {@link PublishRecord}. */
export interface PublishRecordOptions {
  /**
   * The folder of the records.
   * @default - `GOSHIP_CACHE_DIR`, else `$XDG_CACHE_HOME/goship`, else `~/.cache/goship`; then `publish/`
   */
  readonly dir?: string;
  /** The environment the default folder is read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The no-change skip's memory: one small JSON file per input key (a sha256 of everything that
 * decides the image) naming the digest those inputs were pushed as. A record is only a hint:
 * publish believes it after one `HEAD` shows the registry's tag still names that digest (and a
 * registry base still names the recorded base), else it builds as if there were none. A
 * missing, unreadable or corrupt record means "build"; a record that cannot be written is
 * skipped silently (the next run builds again).
 */
export class PublishRecord {
  /** The folder the records are kept in. */
  public readonly dir: string;

  public constructor(options: PublishRecordOptions = {}) {
    const env = options.env ?? process.env;
    this.dir = options.dir ?? path.join(env.GOSHIP_CACHE_DIR || (env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'goship') : path.join(os.homedir(), '.cache', 'goship')), 'publish');
  }

  /** The record of `key`, or undefined when there is none (or it cannot be read). */
  public get(key: string): RecordedPublish | undefined {
    const file = this.file(key);
    try {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedPublish;
      return typeof json.ref === 'string' && /^sha256:[0-9a-f]{64}$/.test(json.digest) ? json : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records `key` → what was pushed; atomically (write aside, rename), never failing the publish. */
  public set(key: string, record: RecordedPublish): void {
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(tmp, `${JSON.stringify(record)}\n`);
      fs.renameSync(tmp, file);
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing was written
      }
    }
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) {
      throw new Error(`a publish record key is a hex sha256, not '${key}'`);
    }
    return path.join(this.dir, `${key}.json`);
  }
}

/** What, besides the plan, decides an image's bytes: the toolchain, the runtime files, the epoch. */
export interface SkipFacts {
  /** The builder's fingerprint of its toolchain and environment for this plan. */
  readonly toolchain: string;
  /** The runtime files layer's entries (CA bundle, zoneinfo, passwd/group), none when the base has them. */
  readonly runtimeEntries: readonly LayerEntry[];
  /** SOURCE_DATE_EPOCH. */
  readonly epoch: number;
}

/**
 * The input key of one image: a sha256 over its plan (the input digest of its context files
 * and build settings, its flags, tags, link values, module settings, platforms, runtime base,
 * user, port, labels, target repository and tag) and {@link SkipFacts}. Undefined when the
 * plan carries no input digest (a hand-made plan): such an image is always built.
 */
export function skipKey(plan: PublishPlan, facts: SkipFacts): string | undefined {
  if (!plan.inputDigest) {
    return undefined;
  }
  const hash = createHash('sha256').update('goship-publish-skip-v1\n').update(JSON.stringify(plan)).update('\n')
    .update(facts.toolchain).update(`\nepoch ${facts.epoch}\n`);
  for (const e of facts.runtimeEntries) {
    const content = e.content ? createHash('sha256').update(e.content).digest('hex') : e.linkname ?? '';
    hash.update(`${e.path}\0${e.type}\0${e.mode.toString(8)}\0${content}\n`);
  }
  return hash.digest('hex');
}

/**
 * Whether the recorded publish is still what the registry serves: its tag names the recorded
 * digest (one `HEAD` on the manifest), and a registry base still names the digest it had (one
 * more `HEAD`). Any failure to ask counts as "no": publish then builds.
 */
export async function stillPublished(plan: PublishPlan, record: RecordedPublish, options: RegistryRepoOptions = {}): Promise<boolean> {
  if (record.ref !== plan.ref) {
    return false;
  }
  const tag = plan.ref.slice(plan.repository.length + 1);
  try {
    const checks = [new RegistryRepo(plan.repository, options).hasManifest(tag, record.digest)];
    if (plan.runtime.kind !== 'scratch') {
      if (!record.base) {
        return false;
      }
      checks.push(new RegistryRepo(record.base.repository, options).hasManifest(record.base.reference, record.base.digest));
    }
    return (await Promise.all(checks)).every(Boolean);
  } catch {
    return false;
  }
}

/** A secret file the build mounts, and where the build machine reads its content: exactly one of `env` and `src`. */
export interface BakeSecret {
  /** The id of the mount. */
  readonly id: string;
  /** An environment variable of the build that holds the content. */
  readonly env?: string;
  /** A file relative to where bake runs. */
  readonly src?: string;
}

/** One image in the bake file. Paths are relative: `context` to where bake runs, `dockerfile` to `context`. */
export interface BakeTarget {
  /** Target name: the image name. */
  readonly name: string;
  readonly context: string;
  readonly dockerfile: string;
  readonly platforms: readonly string[];
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly args: Readonly<Record<string, string>>;
  /**
   * Secret files the build reads, written as bake `secret` entries: `id=netrc,env=GOSHIP_SECRET_NETRC`.
   * Where the content comes from, never the content.
   * @default - none
   */
  readonly secrets?: readonly BakeSecret[];
  /**
   * SSH agent ids the build forwards, as bake `ssh` entries: `default`.
   * @default - none
   */
  readonly ssh?: readonly string[];
}

/**
 * Renders `docker-bake.json`: one target per image and a `default` group with all of them,
 * so `docker buildx bake -f dist/docker-bake.json` builds everything for every platform.
 *
 * Pure and deterministic: targets and keys are sorted.
 */
export function renderBakeFile(targets: readonly BakeTarget[]): string {
  const sorted = [...targets].sort((a, b) => a.name.localeCompare(b.name));
  const file = {
    group: { default: { targets: sorted.map((t) => t.name) } },
    target: Object.fromEntries(sorted.map((t) => [t.name, {
      args: sortKeys(t.args),
      context: t.context,
      dockerfile: t.dockerfile,
      labels: sortKeys(t.labels),
      platforms: [...t.platforms],
      ...(t.secrets && t.secrets.length > 0 ? { secret: t.secrets.map(secretEntry) } : {}),
      ...(t.ssh && t.ssh.length > 0 ? { ssh: [...t.ssh] } : {}),
      tags: [...t.tags],
    }])),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** A bake `secret` entry: `id=netrc,env=GOSHIP_SECRET_NETRC` or `id=netrc,src=secrets/netrc`. */
function secretEntry(s: BakeSecret): string {
  return s.src !== undefined ? `id=${s.id},src=${s.src}` : `id=${s.id},env=${s.env}`;
}

function sortKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

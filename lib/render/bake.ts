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
   * Secret mounts the build reads, as bake `secret` entries: `id=netrc,env=GOSHIP_SECRET_NETRC`.
   * Where the content comes from, never the content.
   * @default - none
   */
  readonly secret?: readonly string[];
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
      ...(t.secret && t.secret.length > 0 ? { secret: [...t.secret] } : {}),
      ...(t.ssh && t.ssh.length > 0 ? { ssh: [...t.ssh] } : {}),
      tags: [...t.tags],
    }])),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function sortKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

import * as path from 'path';
import { readTextBounded } from '../bounds';
import { pinOutput, pinsFromMetadata, readBakeTargets } from '../pin/pin-output';
import { ImagePin, PINS_FILE } from '../pin/pins';
import { pinsFromRegistry } from '../pin/registry-pins';
import { parseCommand, usageError } from './command';
import type { CliIo } from './main';

const USAGE = `usage: goship pin <metadata-file> [--outdir dist] [--pins ${PINS_FILE}]
       goship pin --from-registry [--outdir dist] [--pins ${PINS_FILE}]

Pins every image goship built to the digest it was pushed as: rewrites each container image in
<outdir>/*.k8s.yaml to repo:tag@sha256:<digest> and records the digests in the pin file, which
synth reads, so synthesizing again keeps them (until the tag changes).

  <metadata-file>  what \`docker buildx bake -f dist/docker-bake.json --push --metadata-file <file>\` wrote
  --from-registry  ask each image's registry for its tag's digest instead (OCI distribution API;
                   credentials from auths in $DOCKER_CONFIG/config.json or ~/.docker/config.json;
                   credential helpers are not run)
  --token-realm-host H
                   also send the registry credentials to this token realm host (repeatable);
                   by default they go only to the registry's own host (Docker Hub's realm is
                   auth.docker.io), and each use prints a warning
  --outdir D       the synthesized folder (default: dist)
  --pins F         the pin file (default: ${PINS_FILE})
Exit code: 0 pinned, 1 nothing was pinned (an error), 2 bad usage.`;
const COMMAND = { name: 'pin', usage: USAGE };

/** `goship pin`: see {@link USAGE}. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(COMMAND, args, io, {
    'from-registry': { type: 'boolean' },
    'token-realm-host': { type: 'string', multiple: true },
    'outdir': { type: 'string', default: 'dist' },
    'pins': { type: 'string', default: PINS_FILE },
  });
  if (typeof parsed === 'number') {
    return parsed;
  }
  const { values, positionals } = parsed;
  const fromRegistry = values['from-registry'] === true;
  if (fromRegistry ? positionals.length !== 0 : positionals.length !== 1) {
    return usageError(COMMAND, io, fromRegistry ? '--from-registry takes no metadata file' : 'give the metadata file, or --from-registry');
  }
  const outdir = path.resolve(values.outdir!);
  const targets = readBakeTargets(outdir);
  let pins: Map<string, ImagePin>;
  if (fromRegistry) {
    pins = await pinsFromRegistry(targets, { tokenRealmHosts: values['token-realm-host'] ?? [], warn: (m) => io.err(m) });
  } else {
    const file = positionals[0];
    let metadata: unknown;
    try {
      metadata = JSON.parse(readTextBounded(file));
    } catch (e) {
      throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`} — write it with docker buildx bake --push --metadata-file ${file}`);
    }
    pins = pinsFromMetadata(metadata, targets, file);
  }
  const result = pinOutput(outdir, values.pins!, pins, targets);
  for (const [name, ref] of [...result.pinned].sort(([a], [b]) => a.localeCompare(b))) {
    io.out(`${name}  ${ref}`);
  }
  io.out(`pinned ${result.pinned.size} image(s); ${result.changedFiles.length} file(s) changed${result.changedFiles.length ? `: ${result.changedFiles.join(', ')}` : ''}; pins in ${values.pins}`);
  return 0;
}


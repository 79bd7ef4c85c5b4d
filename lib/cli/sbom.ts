import { ValidationError } from '../model/errors';
import { Platform } from '../model/platform';
import { writeFileAtomic } from '../output/atomic-output';
import { readSbomSubject, renderCycloneDx, renderSpdx, SbomSubject } from '../sbom';
import { parseCommand, usageError } from './command';
import { PullError, withImageInput } from './image-input';
import type { CliIo } from './main';

const USAGE = `usage: goship sbom <binary | OCI layout dir | image tarball | registry/repo:tag[@sha256:…]> [--format spdx|cyclonedx] [--platform linux/amd64] [--output FILE]

Writes a software bill of materials from the Go build info: the main module, every module
linked in (version, go.sum h1: hash, pkg:golang purl), and the Go standard library as a
package, so scanners see Go CVEs; for an image also its runtime files (CA bundle, zoneinfo).
A registry reference is pulled through goship's registry client with goship pin's credentials
(the Docker config's auths), the --platform image only when one is given.
The same binary gives the same bytes.

  --format F     spdx (SPDX 2.3 JSON, the default) or cyclonedx (CycloneDX 1.6 JSON)
  --platform P   for an image index of several images: which one
  --output FILE  write it there (atomically) instead of to standard output
Exit code: 0 written, 1 it could not be read, 2 bad usage.`;
const COMMAND = { name: 'sbom', usage: USAGE };

/** `goship sbom`: see {@link USAGE}. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(COMMAND, args, io, { format: { type: 'string', default: 'spdx' }, platform: { type: 'string' }, output: { type: 'string', short: 'o' } });
  if (typeof parsed === 'number') {
    return parsed;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    return usageError(COMMAND, io, positionals.length === 0 ? 'give a binary or an image' : `one input at a time (got ${positionals.length})`);
  }
  if (values.format !== 'spdx' && values.format !== 'cyclonedx') {
    return usageError(COMMAND, io, `--format: '${values.format}' is not spdx or cyclonedx`);
  }
  let platform: Platform | undefined;
  try {
    platform = values.platform === undefined ? undefined : Platform.parse(values.platform, '--platform');
  } catch (e) {
    return usageError(COMMAND, io, e instanceof ValidationError ? e.message : String(e));
  }
  let subject: SbomSubject;
  try {
    subject = await withImageInput(positionals[0], platform?.toString(), (location) => readSbomSubject(location, { platform }));
  } catch (e) {
    if (e instanceof PullError) {
      io.err(`goship sbom: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const text = values.format === 'spdx' ? renderSpdx(subject) : await renderCycloneDx(subject);
  if (values.output === undefined) {
    io.out(text.trimEnd());
  } else {
    writeFileAtomic(values.output, text);
  }
  return 0;
}


import { promises as fsp } from 'fs';
import { BOUNDS, BoundError, readFileBounded } from '../bounds';
import { ImageError } from '../inspect/tar-index';
import { ValidationError } from '../model/errors';
import { Platform } from '../model/platform';
import { ImageReport, ImageVerifyReport, verifyImage } from '../verify/image';
import { VerifyFinding, VERIFY_RUNTIMES, VerifyRuntime, verifyBinary, VerifyReport } from '../verify/verify';
import { parseCommand, usageError } from './command';
import { PullError, withImageInput } from './image-input';
import type { CliIo } from './main';

const USAGE = `usage: goship verify <binary | OCI layout dir | image tarball | registry/repo:tag[@sha256:…]> [--platform linux/arm64] [--runtime scratch] [--json]

Checks, without running anything, that a Go binary or an image's entrypoint will start in a
minimal container: a Linux ELF executable, for the platform, statically linked (or its loader
is in the image), and that the image runs as a numeric non-root user. A registry reference is
pulled through goship's registry client with goship pin's credentials (the Docker config's
auths): every platform, or the --platform one.

  --platform P   the platform it must run on, e.g. linux/arm64, linux/arm/v7
                 (an image index: check only that image; default: every image)
  --runtime R    for a binary: the base it will run in, one of ${VERIFY_RUNTIMES.join(', ')}
                 (default: scratch); an image is checked against its own files
  --json         print the report as JSON
Exit code: 0 no errors, 1 an error was found, 2 bad usage.`;
const COMMAND = { name: 'verify', usage: USAGE };

/** `goship verify`: see {@link USAGE}. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(COMMAND, args, io, { platform: { type: 'string' }, runtime: { type: 'string' }, json: { type: 'boolean' } });
  if (typeof parsed === 'number') {
    return parsed;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    return usageError(COMMAND, io, positionals.length === 0 ? 'nothing to verify' : `one input at a time (got ${positionals.length})`);
  }
  let platform: Platform | undefined;
  try {
    platform = values.platform === undefined ? undefined : Platform.parse(values.platform, '--platform');
  } catch (e) {
    return usageError(COMMAND, io, e instanceof ValidationError ? e.message : String(e));
  }
  const runtime = values.runtime as VerifyRuntime | undefined;
  if (runtime !== undefined && !VERIFY_RUNTIMES.includes(runtime)) {
    return usageError(COMMAND, io, `--runtime: '${runtime}' is not one of ${VERIFY_RUNTIMES.join(', ')}`);
  }

  const input = positionals[0];
  let result: { kind: 'binary'; report: VerifyReport; size: number } | { kind: 'image'; report: ImageVerifyReport };
  try {
    result = await withImageInput(input, platform?.toString(), async (location): Promise<typeof result> => {
      if (location !== input || await isImage(location)) {
        return { kind: 'image', report: await verifyImage(location, { platform }) };
      }
      const bytes = readFileBounded(location, BOUNDS.binaryBytes);
      return { kind: 'binary', report: verifyBinary(bytes, { platform, runtime }), size: bytes.length };
    });
  } catch (e) {
    if (e instanceof ImageError || e instanceof PullError || e instanceof BoundError || e instanceof NotRegular || (e as NodeJS.ErrnoException).code !== undefined) {
      io.err(`goship verify: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
  if (values.json) {
    io.out(JSON.stringify({ input, kind: result.kind, ...result.report }, (key, value) => (key === 'sections' || key === 'segments' ? undefined : value), 2));
  } else if (result.kind === 'binary') {
    io.out([`${input}: binary, ${formatSize(result.size)}`, ...describe(result.report), ...summary(result.report.findings)].join('\n'));
  } else {
    io.out(describeImage(input, result.report).join('\n'));
  }
  return result.report.ok ? 0 : 1;
}

/** A directory, a tar or a gzip file is read as an image; anything else as a binary (which says what it is if not ELF). */
async function isImage(input: string): Promise<boolean> {
  const stat = await fsp.stat(input);
  if (stat.isDirectory()) {
    return true;
  }
  if (!stat.isFile()) {
    // Opening a FIFO waits for a writer, and a device such as /dev/zero never ends.
    throw new NotRegular(`${input}: not a regular file, folder or image — give a binary, an image tarball or an OCI layout`);
  }
  const handle = await fsp.open(input, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const elf = bytesRead >= 4 && head.readUInt32BE(0) === 0x7f454c46;
    const tar = bytesRead === 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
    const gzip = bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    return !elf && (tar || gzip);
  } finally {
    await handle.close();
  }
}

function describe(r: VerifyReport): string[] {
  const rows: Array<[string, string | undefined]> = [];
  const elf = r.elf;
  if (elf) {
    rows.push(['format', `ELF ${elf.bits}-bit ${elf.endian}-endian ${elf.type}`]);
    rows.push(['arch', elf.arch ? `linux/${elf.arch}${goarm(r)}` : `unknown (ELF machine ${elf.machine})`]);
    const libs = elf.needed.length ? `, needs ${elf.needed.join(', ')}` : '';
    rows.push(['linking', elf.dynamic ? `dynamic (interpreter ${elf.interpreter ?? 'none'}${libs})` : 'static']);
  }
  const bi = r.buildInfo;
  if (bi) {
    rows.push(['go', bi.goVersion]);
    rows.push(['module', bi.main ? `${bi.main.path} ${bi.main.version}` : undefined]);
    rows.push(['package', bi.path]);
    rows.push(['CGO_ENABLED', bi.settings.CGO_ENABLED]);
    rows.push(['vcs', bi.settings['vcs.revision'] ? `${bi.settings['vcs.revision']}${bi.settings['vcs.modified'] === 'true' ? ' (modified)' : ''}` : undefined]);
  }
  return rows.filter((row): row is [string, string] => row[1] !== undefined).map(([k, v]) => `  ${k.padEnd(12)}${v}`);
}

function describeImage(input: string, r: ImageVerifyReport): string[] {
  const lines = [`${input}: ${r.format}, ${r.images.length} image${r.images.length === 1 ? '' : 's'} checked`];
  lines.push(...r.findings.map(formatFinding));
  for (const image of r.images) {
    lines.push(`image ${image.platform} ${imageName(image)}`);
    lines.push(`  ${'entrypoint'.padEnd(12)}${image.entrypoint.length ? JSON.stringify(image.entrypoint) : '(none)'}`);
    lines.push(`  ${'user'.padEnd(12)}${image.user === '' ? '(unset: root)' : image.user}`);
    if (image.binary && image.binary !== image.entrypoint[0]) {
      lines.push(`  ${'binary'.padEnd(12)}${image.binary}`);
    }
    lines.push(...describe(image));
    lines.push(...image.findings.map(formatFinding));
  }
  return [...lines, verdict([...r.findings, ...r.images.flatMap((i) => i.findings)])];
}

function imageName(image: ImageReport): string {
  return image.names.length ? `(${image.names.join(', ')})` : `(${image.id})`;
}

function goarm(r: VerifyReport): string {
  const s = r.buildInfo?.settings ?? {};
  return s.GOARM ? `, GOARM=${s.GOARM}` : s.GOAMD64 ? `, GOAMD64=${s.GOAMD64}` : '';
}

function summary(findings: readonly VerifyFinding[]): string[] {
  return [...findings.map(formatFinding), verdict(findings)];
}

function verdict(findings: readonly VerifyFinding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return errors > 0 ? `FAIL (${counts})` : `OK (${counts})`;
}

function formatFinding(f: VerifyFinding): string {
  return `  ${f.severity === 'error' ? 'ERROR' : 'WARN '} ${f.code}: ${f.message}`;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

class NotRegular extends Error {}

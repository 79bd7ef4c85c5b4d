import * as fs from 'fs';
import * as path from 'path';
import { imageRepository } from '../model/image-ref';
import { writeFileAtomic } from '../output/atomic-output';
import { readBakeTargets } from '../pin/pin-output';
import { PINS_FILE } from '../pin/pins';
import { renderWorkflow } from '../render/workflow';
import { parseCommand, usageError } from './command';
import type { CliIo } from './main';

const WORKFLOW = '.github/workflows/goship.yml';

const USAGE = `usage: goship ci [--check] [--outdir dist] [--output ${WORKFLOW}] [--synth "npm run synth"] [--branch main] [--cache-repository R]

Writes the GitHub Actions workflow for the app's repository, from the synthesized bake file:
go test and govulncheck for each module, goship verify on the built binaries, a multi-platform
bake and push (with a build cache only in a private repository you name), a Trivy scan that fails on HIGH or CRITICAL findings,
goship verify and an SBOM of each image pulled back by digest, then goship pin and synth in
a pull request for the GitOps change. Every job has least-privilege permissions; every
third-party action is pinned to a full commit SHA.

  --check       do not write: exit 1 when the committed workflow differs from what would be written
  --outdir D    the synthesized folder (default: dist)
  --output F    the workflow file (default: ${WORKFLOW})
  --synth CMD   the command that synthesizes the app (default: npm run synth)
  --branch B    the branch that is built and rolled out (default: main)
  --cache-repository R
                a PRIVATE registry repository for BuildKit's build cache (one tag per
                image). The cache holds the build stage, with the source and the module
                cache: never use the images' own repository. Default: no registry cache.
Exit code: 0 written (or up to date), 1 stale or an error, 2 bad usage.`;
const COMMAND = { name: 'ci', usage: USAGE };

/** `goship ci`: see {@link USAGE}. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(COMMAND, args, io, {
    check: { type: 'boolean' },
    outdir: { type: 'string', default: 'dist' },
    output: { type: 'string', default: WORKFLOW },
    synth: { type: 'string', default: 'npm run synth' },
    branch: { type: 'string', default: 'main' },
    'cache-repository': { type: 'string' },
  });
  if (typeof parsed === 'number') {
    return parsed;
  }
  const { values } = parsed;
  if (parsed.positionals.length > 0) {
    return usageError(COMMAND, io, `unexpected argument '${parsed.positionals[0]}'`);
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(values.branch!)) {
    return usageError(COMMAND, io, `--branch: '${values.branch}' is not a branch name`);
  }
  const cacheRepository = values['cache-repository'];
  const outdir = values.outdir!;
  const images = readBakeTargets(outdir).map((t) => ({
    name: t.name,
    repository: t.ref.replace(/:[^/:]+$/, ''),
    context: t.context,
    platforms: t.platforms,
  }));
  if (images.length === 0) {
    throw new Error(`${outdir}/docker-bake.json has no images: there is nothing to build`);
  }
  if (cacheRepository !== undefined) {
    try {
      imageRepository('--cache-repository', cacheRepository);
    } catch (e) {
      return usageError(COMMAND, io, `--cache-repository: '${cacheRepository}' is not a repository without tag, e.g. ghcr.io/acme/buildcache (${(e as Error).message})`);
    }
    if (images.some((i) => i.repository === cacheRepository)) {
      return usageError(COMMAND, io, `--cache-repository: '${cacheRepository}' is an image's own repository; the cache holds the source, so use a separate private one`);
    }
  }
  const text = renderWorkflow({
    images,
    outdir: outdir.split(path.sep).join('/'),
    synthCommand: values.synth!,
    branch: values.branch!,
    nodeVersion: '20',
    pinsFile: PINS_FILE,
    cacheRepository,
  });
  const file = values.output!;
  // Only a regular file (or a link to one) is read: a folder or device is refused by the write below.
  const isFile = (() => {
    try {
      return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
    } catch {
      return false; // a loop of links: the write below says so
    }
  })();
  const current = isFile ? fs.readFileSync(file, 'utf8') : undefined;
  if (values.check) {
    if (current === text) {
      io.out(`${file} is up to date`);
      return 0;
    }
    io.err(`${file} is ${current === undefined ? 'missing' : 'stale'}: run npx goship ci and commit it`);
    return 1;
  }
  writeFileAtomic(file, text);
  io.out(`wrote ${file} (${images.length} image(s))`);
  return 0;
}


import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Chart } from 'cdk8s';
import { DockerfileSyntax } from '../lib/image/dockerfile-syntax';
import { GoStaticImage } from '../lib/image/go-static-image';
import { Platform } from '../lib/model/platform';
import { renderDockerignore, TimeZoneData } from '../lib/render/dockerfile';
import { BenchBuildah, BuildResult } from './buildah';
import { BuildKitBenchResult, buildKitBench } from './buildkit';
import { elfIsStatic, elfMachine, ImageLayers, readOciImage } from './oci';
import { kb, mb, median, say, seconds, table } from './report';

/** What to build. */
export interface ImageBenchOptions {
  /** A scratch folder: the copy of the example, Dockerfiles, cache-mount folders, OCI layouts. */
  readonly workdir: string;
  /** The Go builder image (made by scripts/e2e-setup.sh). */
  readonly builderImage: string;
  /** Where the bench keeps its own buildah storage between runs. */
  readonly storageHome: string;
  /** buildah storage driver for the bench's storage. @default overlay when the kernel has it, else vfs */
  readonly driver?: string;
  /** Cold builds per platform. */
  readonly coldRuns: number;
  /** Rebuilds after a one-line change. */
  readonly rebuildRuns: number;
}

/** One image, measured. */
export interface MeasuredImage {
  readonly label: string;
  readonly layers: ImageLayers;
}

/** Everything the image benches measured. */
export interface ImageBenchResult {
  readonly driver: string;
  readonly buildahVersion: string;
  readonly images: Record<'none' | 'embedded' | 'copied' | 'arm64', MeasuredImage>;
  readonly cold: Record<'amd64' | 'arm64', number[]>;
  readonly rebuild: BuildResult[];
  readonly rebuildColdMounts: BuildResult[];
  readonly arm64Binary: { machine: string; isStatic: boolean };
  readonly binfmtAarch64: boolean;
  /** The same cold builds and rebuilds with BuildKit in the suite's Docker engine. */
  readonly buildkit: BuildKitBenchResult | { skipped: string };
}

const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'hello');
const REPO = 'localhost/goship-bench/hello';

/**
 * Builds examples/hello with buildah from the Dockerfiles goship renders: sizes per runtime
 * base and time zone choice, cold and warm build times, amd64 against arm64. Returns the
 * reason instead when buildah or the builder image is missing.
 */
export async function imageBench(opts: ImageBenchOptions): Promise<ImageBenchResult | { skipped: string }> {
  const missing = BenchBuildah.missing(opts.builderImage);
  if (missing) {
    return { skipped: missing };
  }
  const buildah = new BenchBuildah(opts.storageHome, opts.driver);
  buildah.ensureImage(opts.builderImage);

  const context = path.join(opts.workdir, 'hello');
  fs.mkdirSync(context, { recursive: true });
  for (const f of ['main.go', 'go.mod', 'go.sum']) {
    if (fs.existsSync(path.join(EXAMPLE, f))) {
      fs.copyFileSync(path.join(EXAMPLE, f), path.join(context, f));
    }
  }
  fs.writeFileSync(path.join(context, '.dockerignore'), renderDockerignore());
  const dockerfiles = {
    embedded: writeDockerfile(opts, context, 'embedded'),
    none: writeDockerfile(opts, context, 'none'),
    copied: writeDockerfile(opts, context, 'copied'),
  };

  const tags: string[] = [];
  const cacheHomes: string[] = [];
  const build = (name: string, tz: keyof typeof dockerfiles, platform: string, cacheHome: string, noCache: boolean) => {
    const tag = `${REPO}:${name}`;
    tags.push(tag);
    cacheHomes.push(cacheHome);
    const r = buildah.build({ tag, dockerfile: dockerfiles[tz], context, platform, cacheHome, noCache });
    process.stderr.write(`  build ${name.padEnd(22)} ${platform.padEnd(11)} ${seconds(r.ms).padStart(7)} s${r.cachedSteps.length ? `, ${r.cachedSteps.length} step(s) from the layer cache` : ''}\n`);
    return { tag, ...r };
  };
  const measure = async (label: string, tag: string): Promise<MeasuredImage> => {
    const dir = path.join(opts.workdir, 'oci', tag.split(':')[1]);
    buildah.pushOci(tag, dir);
    return { label, layers: await readOciImage(dir) };
  };

  try {
    // Cold: fresh cache-mount folders and no layer cache; the platforms alternate.
    const cold = { amd64: [] as number[], arm64: [] as number[] };
    const warmCache = path.join(opts.workdir, 'cache-warm');
    let defaultAmd64 = '';
    let defaultArm64 = '';
    for (let run = 0; run < opts.coldRuns; run++) {
      const order: Array<'amd64' | 'arm64'> = run % 2 === 0 ? ['amd64', 'arm64'] : ['arm64', 'amd64'];
      for (const arch of order) {
        const cacheHome = run === 0 && arch === 'amd64' ? warmCache : path.join(opts.workdir, `cache-cold-${arch}-${run}`);
        const r = build(`cold-${arch}-${run}`, 'embedded', `linux/${arch}`, cacheHome, true);
        cold[arch].push(r.ms);
        if (run === 0) {
          if (arch === 'amd64') {
            defaultAmd64 = r.tag;
          } else {
            defaultArm64 = r.tag;
          }
        }
      }
    }

    // Rebuilds after a one-line change to main.go, with the cache mounts of the first cold build.
    const mainGo = path.join(context, 'main.go');
    const original = fs.readFileSync(mainGo, 'utf8');
    const edit = (k: number) => {
      const changed = original.replace(/getenv\("GREETING", "([^"]*)"\)/, `getenv("GREETING", "$1, edit ${k}")`);
      fs.writeFileSync(mainGo, changed === original ? `${original}\n// edit ${k}\n` : changed);
    };
    const rebuild: BuildResult[] = [];
    for (let k = 0; k < opts.rebuildRuns; k++) {
      edit(k);
      rebuild.push(build(`rebuild-${k}`, 'embedded', 'linux/amd64', warmCache, false));
    }
    // The same change once more, with empty cache-mount folders: the layers still hit.
    edit(opts.rebuildRuns);
    const rebuildColdMounts = [build('rebuild-empty-mounts', 'embedded', 'linux/amd64', path.join(opts.workdir, 'cache-empty'), false)];
    fs.writeFileSync(mainGo, original);

    // The same builds with BuildKit, from the Dockerfile for the engine's built-in frontend
    // (the frontend image cannot be pulled here); the context's .dockerignore is the same.
    const buildkit = buildKitBench({
      builderImage: opts.builderImage,
      dockerfile: writeDockerfile(opts, context, 'embedded', DockerfileSyntax.builtIn()),
      context,
      coldRuns: opts.coldRuns,
      rebuildRuns: opts.rebuildRuns,
      edit: (k) => edit(100 + k),
      restore: () => fs.writeFileSync(mainGo, original),
    });

    // The other time zone choices, built warm, for their sizes.
    const none = build('tz-none', 'none', 'linux/amd64', warmCache, false);
    const copied = build('tz-copied', 'copied', 'linux/amd64', warmCache, false);

    const images = {
      none: await measure('scratch, timeZoneData none', none.tag),
      embedded: await measure('scratch, timeZoneData embedded (the default)', defaultAmd64),
      copied: await measure('scratch, timeZoneData copied', copied.tag),
      arm64: await measure('scratch, default, linux/arm64', defaultArm64),
    };
    const armApp = images.arm64.layers.app ?? Buffer.alloc(0);
    return {
      driver: buildah.driver,
      buildahVersion: spawnSync('buildah', ['--version'], { encoding: 'utf8' }).stdout.trim(),
      images,
      cold,
      rebuild,
      rebuildColdMounts,
      arm64Binary: { machine: elfMachine(armApp), isStatic: elfIsStatic(armApp) },
      binfmtAarch64: fs.existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64'),
      buildkit,
    };
  } finally {
    buildah.cleanup(tags);
    for (const dir of new Set(cacheHomes)) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function writeDockerfile(opts: ImageBenchOptions, context: string, timeZoneData: TimeZoneData, dockerfileSyntax?: DockerfileSyntax): string {
  // The example's image (examples/hello/hello-chart.ts), with a fixed tag and the local builder.
  const image = new GoStaticImage(new Chart(new App(), 'hello'), 'image', {
    context,
    repository: REPO,
    tag: 'bench',
    platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
    builderImage: opts.builderImage,
    timeZoneData,
    dockerfileSyntax,
  });
  const file = path.join(opts.workdir, 'dockerfiles', dockerfileSyntax ? `${timeZoneData}-built-in-frontend` : timeZoneData, 'Dockerfile');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, image.renderDockerfile());
  return file;
}

/** The BuildKit rows of the build-time table, measured in the same run as the buildah rows. */
function buildKitRows(b: BuildKitBenchResult | { skipped: string }): string[][] {
  if ('skipped' in b) {
    return [['BuildKit (Docker engine)', '–', 'not measured', b.skipped]];
  }
  const coldAmd = median(b.cold.amd64);
  const coldArm = median(b.cold.arm64);
  return [
    ['BuildKit: cold, linux/amd64', String(b.cold.amd64.length), seconds(coldAmd), 'build cache and cache mounts pruned first'],
    ['BuildKit: cold, linux/arm64', String(b.cold.arm64.length), seconds(coldArm), `cross-compiled (--platform=$BUILDPLATFORM, set by BuildKit itself); ${(coldArm / coldAmd).toFixed(2)}× amd64`],
    ['BuildKit: rebuild after a one-line change to main.go', String(b.rebuild.length), seconds(median(b.rebuild.map((x) => x.ms))), `cached: ${[...new Set(b.rebuild.flatMap((x) => x.cachedSteps))].filter((s) => /^(COPY go\.|RUN .*go mod download)/.test(s)).map((s) => `\`${s.replace(/--mount=\S+ /g, '')}\``).join(', ') || 'nothing'}`],
  ];
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Prints the size table and the build-time table. */
export function printImages(r: ImageBenchResult): void {
  const plain = r.images.none.layers.app;
  const binary = plain?.length ?? NaN;
  const entryBytes = (img: MeasuredImage, test: (name: string) => boolean) =>
    sum(img.layers.entries.filter((e) => e.type === 'file' && test(e.name)).map((e) => e.size));
  const row = (img: MeasuredImage, note: string) => {
    const total = sum(img.layers.tarBytes);
    return [img.label, String(img.layers.tarBytes.length), kb(total), kb(sum(img.layers.gzipBytes)), `+${kb(total - binary)}`, note];
  };
  const contents = (img: MeasuredImage) => {
    const files = img.layers.entries.filter((e) => e.type === 'file');
    const zone = files.filter((e) => e.name.startsWith('usr/share/zoneinfo/'));
    const zoneLinks = img.layers.entries.filter((e) => e.name.startsWith('usr/share/zoneinfo/') && /link/.test(e.type)).length;
    const app = entryBytes(img, (n) => n === 'app');
    return [
      `/app ${kb(app)}`,
      `CA bundle ${kb(entryBytes(img, (n) => n.startsWith('etc/ssl/')))}`,
      `passwd+group ${entryBytes(img, (n) => n === 'etc/passwd' || n === 'etc/group')} B`,
      ...(zone.length > 0 ? [`zoneinfo ${mb(sum(zone.map((z) => z.size)))} in ${zone.length} files and ${zoneLinks} links (a link's data is stored once)`] : []),
      `tar headers ${kb(sum(img.layers.tarBytes) - sum(files.map((f) => f.size)))}`,
    ].join(', ');
  };
  const embedded = r.images.embedded;
  const tzdata = entryBytes(embedded, (n) => n === 'app') - binary;
  const overhead = sum(embedded.layers.tarBytes) - binary;
  say(table(
    ['examples/hello, linux/amd64', 'layers', 'size (uncompressed)', 'gzip', 'over plain binary', 'contents'],
    [
      ['plain static binary (CGO_ENABLED=0, -trimpath, -s -w; no timetzdata)', '–', kb(binary), plain ? kb(zlib.gzipSync(plain, { level: 6 }).length) : '–', '–', plain ? `${elfMachine(plain)}, ${elfIsStatic(plain) ? 'static' : 'DYNAMIC'}` : '–'],
      row(r.images.none, contents(r.images.none)),
      row(embedded, contents(embedded)),
      row(r.images.copied, contents(r.images.copied)),
      ['distroless static (RuntimeBase.distrolessStatic())', '–', 'not built', '–', '–', 'gcr.io/distroless/static-debian12 cannot be pulled here (no registry access)'],
      ['alpine (RuntimeBase.alpine())', '–', 'not built', '–', '–', 'alpine:3.20 cannot be pulled here (no registry access)'],
      [...row(r.images.arm64, contents(r.images.arm64)).slice(0, 4), '–', `${r.arm64Binary.machine}, ${r.arm64Binary.isStatic ? 'static' : 'DYNAMIC'}`],
    ],
  ));
  say('');
  say(`-tags timetzdata adds ${kb(tzdata)} to the binary. The default image is ${kb(overhead)} over the plain binary with CA bundle, time zone data and user entries (target ≤ 700 KB): ${overhead <= 700_000 ? 'met' : 'MISSED'}.`);
  say('Sizes are the image layers as tar (what `docker images` adds up) and gzipped at level 6 (about what a registry stores); 1 KB = 1000 bytes.');

  say('');
  const coldAmd = median(r.cold.amd64);
  const coldArm = median(r.cold.arm64);
  const cachedNames = (b: BuildResult[]) => [...new Set(b.flatMap((x) => x.cachedSteps))]
    .filter((s) => /^(COPY go\.|RUN .*go mod download)/.test(s)).map((s) => `\`${s.replace(/--mount=\S+ /g, '')}\``).join(', ');
  say(table(
    ['build of examples/hello', 'runs', 'median s', 'what it shows'],
    [
      ['cold, linux/amd64', String(r.cold.amd64.length), seconds(coldAmd), 'empty cache mounts, no layer cache (--no-cache)'],
      ['cold, linux/arm64', String(r.cold.arm64.length), seconds(coldArm), `cross-compiled on the amd64 builder: /app is ${r.arm64Binary.machine}`],
      ['arm64 / amd64', '', `${(coldArm / coldAmd).toFixed(2)}×`, 'near 1: no emulation (an emulated compile was 7× slower here)'],
      ['rebuild after a one-line change to main.go', String(r.rebuild.length), seconds(median(r.rebuild.map((b) => b.ms))), `from the layer cache: ${cachedNames(r.rebuild) || 'nothing'}; Go build cache warm in its cache mount`],
      ['the same rebuild, cache mounts emptied', String(r.rebuildColdMounts.length), seconds(median(r.rebuildColdMounts.map((b) => b.ms))), 'layers still cached: the cache mount is what makes the rebuild fast'],
      ...buildKitRows(r.buildkit),
    ],
  ));
  if (!('skipped' in r.buildkit)) {
    say('');
    say(`BuildKit rows: ${r.buildkit.engine}, \`docker build\` with the engine's built-in frontend; a cold build prunes the build cache (cache mounts included) first.`);
  }
  say('');
  say(`${r.buildahVersion}; the bench's own ${r.driver} storage (${r.driver === 'vfs' ? 'every layer a full copy' : 'the e2e tests use vfs, where each layer commit copies the 786 MB builder'}); isolation chroot.`);
  say(r.binfmtAarch64
    ? 'binfmt_misc has an aarch64 handler here: the ratio above, not the machine, shows that nothing was emulated.'
    : 'binfmt_misc has no aarch64 handler here, so an arm64 RUN could not execute at all: the arm64 image can only have been cross-compiled.');
}

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';

/**
 * buildah with a storage of the bench's own, so that its images, layer cache and cleanup
 * never touch the storage other builds on the machine use. The builder image is copied in
 * from the default (vfs) storage once and kept between bench runs.
 */
export class BenchBuildah {
  /**
   * Why the build benches cannot run here, or undefined when they can: buildah must be on
   * PATH and `builderImage` in its default vfs storage.
   */
  public static missing(builderImage: string): string | undefined {
    const which = spawnSync('sh', ['-c', 'command -v buildah'], { encoding: 'utf8' });
    if (which.status !== 0) {
      return 'buildah is not installed (scripts/e2e-setup.sh installs it)';
    }
    if (!imageId(['--storage-driver', 'vfs'], builderImage)) {
      // From the registry mirror, as the e2e suites pull it (scripts/mirror.sh writes registries.conf).
      const pull = spawnSync('buildah', ['--storage-driver', 'vfs', 'pull', '--quiet', builderImage], { encoding: 'utf8' });
      if (pull.status !== 0) {
        return `the builder image ${builderImage} could not be pulled from the registry mirror (run scripts/e2e-setup.sh): ${pull.stderr.trim()}`;
      }
    }
    return undefined;
  }

  public readonly driver: string;
  private readonly storage: string[];

  /** `home` keeps the storage (root and runroot) between runs. */
  public constructor(home: string, driver?: string) {
    this.driver = driver ?? (overlaySupported() ? 'overlay' : 'vfs');
    const root = path.join(home, this.driver);
    fs.mkdirSync(root, { recursive: true });
    this.storage = ['--storage-driver', this.driver, '--root', path.join(root, 'root'), '--runroot', path.join(root, 'runroot')];
  }

  /** Copies the builder image into the bench storage unless the same image is already there. */
  public ensureImage(image: string): void {
    const want = imageId(['--storage-driver', 'vfs'], image);
    if (want && imageId(this.storage, image) === want) {
      return;
    }
    process.stderr.write(`  copying ${image} into the bench's ${this.driver} storage (once)\n`);
    const dest = `containers-storage:[${this.driver}@${this.storage[3]}+${this.storage[5]}]${image}`;
    run(['--storage-driver', 'vfs', 'push', '--quiet', image, dest]);
  }

  /**
   * Builds `dockerfile` with `context` for `platform`; `cacheHome` becomes TMPDIR, so the
   * `RUN --mount=type=cache` folders live under it (a fresh folder: cold cache mounts).
   */
  public build(opts: BuildOptions): BuildResult {
    const args = [
      ...this.storage, 'build', '--isolation', 'chroot',
      '--layers', ...(opts.noCache ? ['--no-cache'] : []),
      '--platform', opts.platform, '--build-arg', 'BUILDPLATFORM=linux/amd64',
      '-t', opts.tag, '-f', opts.dockerfile, opts.context,
    ];
    fs.mkdirSync(opts.cacheHome, { recursive: true });
    const t0 = performance.now();
    const out = run(args, { TMPDIR: opts.cacheHome });
    const ms = performance.now() - t0;
    return { ms, log: out, cachedSteps: stepsUsingCache(out) };
  }

  /** Writes `image` to an OCI layout folder with uncompressed layers. */
  public pushOci(image: string, dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    run([...this.storage, 'push', '--quiet', '--disable-compression', image, `oci:${dir}:latest`]);
  }

  /** Removes the images the bench tagged, and the layer cache they leave (in the bench's storage only). */
  public cleanup(tags: readonly string[]): void {
    for (const tag of tags) {
      spawnSync('buildah', [...this.storage, 'rmi', '--force', tag], { stdio: 'ignore' });
    }
    spawnSync('buildah', [...this.storage, 'rm', '--all'], { stdio: 'ignore' });
    spawnSync('buildah', [...this.storage, 'rmi', '--prune'], { stdio: 'ignore' });
  }
}

/** Options of one build. */
export interface BuildOptions {
  readonly tag: string;
  readonly dockerfile: string;
  readonly context: string;
  readonly platform: string;
  readonly cacheHome: string;
  /** Ignore the layer cache (a cold build). */
  readonly noCache?: boolean;
}

/** What one build took. */
export interface BuildResult {
  readonly ms: number;
  readonly log: string;
  /** The steps buildah took from its layer cache (`STEP 5/10: COPY go.mod ./`, …). */
  readonly cachedSteps: string[];
}

function run(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync('buildah', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    throw new Error(`buildah ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  }
  return `${r.stdout}${r.stderr}`;
}

function imageId(storage: string[], image: string): string | undefined {
  const r = spawnSync('buildah', [...storage, 'images', '--noheading', '--no-trunc', '--format', '{{.ID}}', image], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] || undefined : undefined;
}

function overlaySupported(): boolean {
  try {
    return /\boverlay\b/.test(fs.readFileSync('/proc/filesystems', 'utf8'));
  } catch {
    return false;
  }
}

function stepsUsingCache(log: string): string[] {
  const lines = log.split('\n');
  const steps: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].startsWith('--> Using cache')) {
      const step = /STEP \d+\/\d+: (.*)$/.exec(lines[i - 1]);
      if (step) {
        steps.push(step[1]);
      }
    }
  }
  return steps;
}

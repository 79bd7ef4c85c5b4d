import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import type { PublishPlan } from '../image/publish-plan';

const exec = promisify(execFile);

/** A static binary built for one platform. */
export interface BuiltBinary {
  /** OCI platform, e.g. `linux/arm64`. */
  readonly platform: string;
  /** The binary's bytes. */
  readonly content: Buffer;
}

/** Build: turns an image's plan into one static binary per platform (ko's `build.Interface`). */
export interface Builder {
  /**
   * Builds the image's binary for each of its platforms.
   *
   * @throws Error naming the image, with go's own message, when the build fails
   */
  build(plan: PublishPlan): Promise<BuiltBinary[]>;

  /**
   * What, besides the plan, decides the binaries (the toolchain's version and the settings it
   * reads from the environment), as text for publish's no-change key.
   *
   * @default - none: publish cannot know when the build would be the same, so it always builds
   */
  fingerprint?(plan: PublishPlan): Promise<string>;
}

/**
 * The go settings that can change a binary beyond the plan's own flags: read with `go env` as
 * the build would see them (environment, `go env -w` file, a go.work found from the module).
 * GOOS, GOARCH, GOARM, GOAMD64 and CGO_ENABLED come from the platform and are set, not read.
 */
const TOOLCHAIN_SETTINGS = ['GOVERSION', 'GOROOT', 'GOFLAGS', 'GOEXPERIMENT', 'GOTOOLCHAIN', 'GOWORK', 'GOARM64', 'GO386', 'GOMIPS', 'GOMIPS64', 'GOPPC64', 'GORISCV64', 'GOWASM', 'GOFIPS140'];

/** Options of {@link HostGoBuilder}. */
export interface HostGoBuilderOptions {
  /**
   * The go command.
   * @default - `GOSHIP_GO` when set, else `go` from PATH
   */
  readonly go?: string;
  /**
   * The environment go runs with (GOPROXY, GOFLAGS, GOPRIVATE, caches…); the image's own module
   * settings override it, as in its Dockerfile.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * `go build` on this machine, with the flags the Dockerfile's builder stage uses:
 * `CGO_ENABLED=0`, `-trimpath`, the tags, the `-ldflags` with version, revision and commit date
 * written in, `-mod=vendor` for a vendored module, GOOS/GOARCH/GOARM/GOAMD64 per platform, in
 * the module's folder (so replace lines and a go.work apply as they do there). `-buildvcs=false`:
 * the Dockerfile path leaves `.git` out of the context, so its binary carries no VCS stamp either.
 */
export class HostGoBuilder implements Builder {
  private readonly go: string;
  private readonly env: NodeJS.ProcessEnv;
  private checked?: Promise<string>;
  /** `go env` per module folder and settings. */
  private readonly settings = new Map<string, Promise<Record<string, string>>>();

  public constructor(options: HostGoBuilderOptions = {}) {
    this.env = options.env ?? process.env;
    this.go = options.go ?? (this.env.GOSHIP_GO || 'go');
  }

  /** The go version (`1.26.8`), checked once: go must run and be at least `needed`. */
  public async goVersion(needed: string, image: string): Promise<string> {
    this.checked ??= exec(this.go, ['env', 'GOVERSION'], { env: this.env }).then(
      (r) => r.stdout.trim().replace(/^go/, ''),
      (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ENOENT' ? `'${this.go}' was not found` : `'${this.go} env GOVERSION' failed: ${String((e as { stderr?: string }).stderr ?? e.message).trim()}`;
        throw new Error(`${why}. goship publish builds on this machine and needs only Go (no Docker): install Go (https://go.dev/dl/), put it on PATH or set GOSHIP_GO to the go command`);
      },
    );
    const have = await this.checked;
    if (compareGo(have, needed) < 0) {
      throw new Error(`${image}: go.mod needs Go ${needed}, but '${this.go}' is Go ${have}: install Go ${needed} or newer (https://go.dev/dl/), or set GOSHIP_GO to a newer go command`);
    }
    return have;
  }

  /**
   * `go env` of {@link TOOLCHAIN_SETTINGS} in the module's folder, with the build's environment
   * (asked once per module and settings). Its GOVERSION serves the version check too; when it
   * fails, the version check's error (go missing, too old) is the one reported.
   */
  public async fingerprint(plan: PublishPlan): Promise<string> {
    const image = `${plan.name} (${plan.origin})`;
    const key = JSON.stringify([plan.moduleDir, plan.goEnv, plan.platforms[0]]);
    let settings = this.settings.get(key);
    if (!settings) {
      settings = exec(this.go, ['env', '-json', ...TOOLCHAIN_SETTINGS], { cwd: plan.moduleDir, env: buildEnv(this.env, plan, plan.platforms[0] ?? 'linux/amd64') })
        .then((r) => JSON.parse(r.stdout) as Record<string, string>);
      this.settings.set(key, settings);
    }
    let read: Record<string, string>;
    try {
      read = await settings;
    } catch (e) {
      await this.goVersion(plan.goVersion, image);
      const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
      throw new Error(`${image}: '${this.go} env' failed in ${plan.moduleDir}:\n${stderr}`);
    }
    if (/^go\d/.test(read.GOVERSION ?? '')) {
      this.checked ??= Promise.resolve(read.GOVERSION.replace(/^go/, ''));
    }
    await this.goVersion(plan.goVersion, image);
    // A go.work above the context is no file of the image's input digest: its content counts here.
    const work = read.GOWORK && read.GOWORK !== 'off' && fs.existsSync(read.GOWORK) ? fs.readFileSync(read.GOWORK, 'utf8') : '';
    return [`go ${this.go}`, ...TOOLCHAIN_SETTINGS.map((k) => `${k}=${read[k] ?? ''}`), `go.work:\n${work}`].join('\n');
  }

  /**
   * Builds every platform at once: each `go build` compiles only what its cache lacks and
   * then links, and linking is mostly one core's work, so several platforms overlap.
   */
  public async build(plan: PublishPlan): Promise<BuiltBinary[]> {
    await this.goVersion(plan.goVersion, `${plan.name} (${plan.origin})`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-publish-'));
    try {
      const settled = await Promise.allSettled(plan.platforms.map(async (platform) => {
        const file = path.join(dir, platform.replace(/\//g, '-'));
        try {
          await exec(this.go, goBuildArgs(plan, file), { cwd: plan.moduleDir, env: buildEnv(this.env, plan, platform), maxBuffer: 64 << 20 });
        } catch (e) {
          const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
          throw new Error(`${plan.name} (${plan.origin}): go build for ${platform} failed in ${plan.moduleDir}:\n${stderr}`);
        }
        return { platform, content: await fs.promises.readFile(file) };
      }));
      // Every go has finished before the folder goes; the first failure (in platform order) is reported.
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        throw failed.reason;
      }
      return settled.map((r) => (r as PromiseFulfilledResult<BuiltBinary>).value);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The arguments of `go build` for one platform, writing the binary to `out`. */
export function goBuildArgs(plan: PublishPlan, out: string): string[] {
  return ['build', '-trimpath', '-buildvcs=false', ...(plan.vendor ? ['-mod=vendor'] : []),
    ...(plan.tags.length > 0 ? ['-tags', plan.tags.join(',')] : []),
    ...(plan.ldflags ? [`-ldflags=${plan.ldflags}`] : []), '-o', out, plan.main];
}

/** The environment of one cross-compile: the caller's, the image's module settings, the target. */
export function buildEnv(base: NodeJS.ProcessEnv, plan: PublishPlan, platform: string): NodeJS.ProcessEnv {
  const [goos, goarch, variant] = platform.split('/');
  const env: NodeJS.ProcessEnv = { ...base, ...plan.goEnv, CGO_ENABLED: '0', GOOS: goos, GOARCH: goarch };
  delete env.GOARM;
  delete env.GOAMD64;
  if (goarch === 'arm' && variant) {
    env.GOARM = variant.replace(/^v/, '');
  }
  if (goarch === 'amd64' && variant) {
    env.GOAMD64 = variant;
  }
  return env;
}

/** Compares Go versions such as `1.26.8`, `1.19`, `1.23rc1` (a release candidate sorts before its release). */
export function compareGo(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?/.exec(v) ?? [];
    return [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ? -1 : 0, Number(m[5] ?? 0)];
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      return x[i] - y[i];
    }
  }
  return 0;
}

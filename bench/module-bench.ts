import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { GoStaticImage } from '../lib/image/go-static-image';
import { renderDockerignore } from '../lib/render/dockerfile';
import { BenchBuildah } from './buildah';
import { say, seconds, table } from './report';

/** What to build. */
export interface ModuleBenchOptions {
  /** A scratch folder for the module, Dockerfiles and cache-mount folders. */
  readonly workdir: string;
  /** The Go builder image (made by scripts/e2e-setup.sh). */
  readonly builderImage: string;
  /** Where the bench keeps its own buildah storage between runs. */
  readonly storageHome: string;
  /** buildah storage driver for the bench's storage. @default overlay when the kernel has it, else vfs */
  readonly driver?: string;
}

/** The build times, in ms. */
export interface ModuleBenchResult {
  /** One image, cold (empty cache mounts, no layer cache). */
  readonly one: number;
  /** Three images one after the other, as goship renders them: one builder, shared cache mounts. */
  readonly shared: readonly number[];
  /** The same three, each cold: nothing shared. */
  readonly isolated: readonly number[];
  /** Layer-cache steps each shared build reused. */
  readonly sharedCachedSteps: readonly number[];
}

const COMMANDS = ['api', 'worker', 'cron'] as const;
const REPO = 'localhost/goship-bench/shop';

/**
 * Several images from one module (`./cmd/api`, `./cmd/worker`, `./cmd/cron`): the time to build
 * one image, then three, once with goship's shared cache mounts (`id=goship-gomod`,
 * `id=goship-gobuild`) and once with each build starting cold. Returns the reason instead
 * when buildah or the builder image is missing.
 */
export async function moduleBench(opts: ModuleBenchOptions): Promise<ModuleBenchResult | { skipped: string }> {
  const missing = BenchBuildah.missing(opts.builderImage);
  if (missing) {
    return { skipped: missing };
  }
  const buildah = new BenchBuildah(opts.storageHome, opts.driver);
  buildah.ensureImage(opts.builderImage);
  const context = path.join(opts.workdir, 'shop');
  writeModule(context);
  const dockerfiles = Object.fromEntries(COMMANDS.map((cmd) => [cmd, writeDockerfile(opts, context, cmd)])) as Record<typeof COMMANDS[number], string>;
  const tags: string[] = [];
  const build = (label: string, cmd: typeof COMMANDS[number], cacheHome: string, noCache: boolean) => {
    const tag = `${REPO}:${label}`;
    tags.push(tag);
    const r = buildah.build({ tag, dockerfile: dockerfiles[cmd], context, platform: 'linux/amd64', cacheHome, noCache });
    process.stderr.write(`  build ${label.padEnd(18)} ${seconds(r.ms).padStart(7)} s${r.cachedSteps.length ? `, ${r.cachedSteps.length} step(s) from the layer cache` : ''}\n`);
    return r;
  };
  try {
    const one = build('one', 'api', path.join(opts.workdir, 'cache-one'), true).ms;
    // Shared: the first build starts cold (empty mounts, no layer cache), the others follow it on
    // the same builder. Before the isolated builds, so no layer of theirs can be reused.
    const sharedCache = path.join(opts.workdir, 'cache-shared');
    const shared = COMMANDS.map((cmd, i) => build(`shared-${cmd}`, cmd, sharedCache, i === 0));
    const isolated = COMMANDS.map((cmd) => build(`isolated-${cmd}`, cmd, path.join(opts.workdir, `cache-isolated-${cmd}`), true).ms);
    return { one, isolated, shared: shared.map((r) => r.ms), sharedCachedSteps: shared.map((r) => r.cachedSteps.length) };
  } finally {
    buildah.cleanup(tags);
  }
}

/** Prints the table. */
export function printModules(r: ModuleBenchResult): void {
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  say(table(
    ['images from one module (linux/amd64)', 'images', 'total s', 'per image s', 'what it shows'],
    [
      ['one image, cold', '1', seconds(r.one), seconds(r.one), 'empty cache mounts, no layer cache'],
      ['three images, goship\'s shared cache mounts', '3', seconds(total(r.shared)), r.shared.map(seconds).join(' / '),
        `after the first, the download layer is reused (${r.sharedCachedSteps.slice(1).join(', ')} cached steps) and go reuses the compiled standard library and shared packages`],
      ['three images, nothing shared', '3', seconds(total(r.isolated)), r.isolated.map(seconds).join(' / '), 'each build cold: its own empty cache mounts, no layer cache'],
      ['3 shared / 1', '', `${(total(r.shared) / r.one).toFixed(2)}×`, '', 'against 3× with nothing shared'],
    ],
  ));
  say('');
  say('The module has no external dependencies (no module proxy can be reached here), so what is shared is the download layer and the Go build cache; a module several services require is downloaded into the same goship-gomod mount once.');
}

function writeModule(dir: string): void {
  const files: Record<string, string> = {
    'go.mod': 'module example.com/shop\n\ngo 1.19\n',
    'internal/catalog/catalog.go': catalogSource(),
  };
  for (const cmd of COMMANDS) {
    files[`cmd/${cmd}/main.go`] = [
      'package main', '', 'import (', '\t"encoding/json"', '\t"net/http"', '', '\t"example.com/shop/internal/catalog"', ')', '',
      'var version = "dev"', '',
      'func main() {',
      `\thttp.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(map[string]any{"cmd": "${cmd}", "version": version, "items": catalog.Count()}) })`,
      '\t_ = http.ListenAndServe(":8080", nil)', '}', '',
    ].join('\n');
  }
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.writeFileSync(path.join(dir, '.dockerignore'), renderDockerignore());
}

/** A shared package big enough that compiling it shows: 400 small functions. */
function catalogSource(): string {
  const fns = Array.from({ length: 400 }, (_, i) => `func item${i}(s string) string { return strings.Repeat(s, ${i % 7 + 1}) + fmt.Sprint(${i}) }`);
  return ['package catalog', '', 'import (', '\t"fmt"', '\t"strings"', ')', '', ...fns, '',
    `func Count() int { n := 0; for _, f := range []func(string) string{${Array.from({ length: 400 }, (_, i) => `item${i}`).join(', ')}} { n += len(f("x")) }; return n }`, ''].join('\n');
}

function writeDockerfile(opts: ModuleBenchOptions, context: string, cmd: string): string {
  const image = new GoStaticImage(new Chart(new App(), 'shop'), cmd, {
    context, main: `./cmd/${cmd}`, name: cmd, repository: `${REPO}-${cmd}`, tag: 'bench', builderImage: opts.builderImage,
  });
  const file = path.join(opts.workdir, 'dockerfiles', cmd, 'Dockerfile');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, image.renderDockerfile());
  return file;
}

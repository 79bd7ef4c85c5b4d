/**
 * `npm run bench`: synth time against cdk8s, image sizes and build times. Prints Markdown
 * tables; never asserts on time. See bench/README.md for how to read them.
 *
 *   npm run bench                       # 1000, 2000, 3000 services; image benches (~11 min here)
 *   npm run bench -- --quick            # 300, 600, 900 services; fewer builds (~3 min here)
 *   npm run bench -- --only=synth --sizes=500,1000 --runs=5 --profile
 *   npm run bench -- --only=check       # goship check on 2500, 5000, 10000 objects vs their synth
 *   npm run bench -- --only=publish     # goship publish vs ko build vs BuildKit (needs scripts/tools/ko)
 *
 * Options (each also as an environment variable):
 *   --sizes=a,b,c      GOSHIP_BENCH_SIZES    services per synth measurement
 *   --runs=n           GOSHIP_BENCH_RUNS     goship runs per size (medians are shown; default 3)
 *   --cdk8s-runs=n     GOSHIP_BENCH_CDK8S_RUNS  cdk8s runs per size (default 2: ~90 s each at 3000)
 *   --tree=services|plain  GOSHIP_BENCH_TREE what each chart holds (plain: cdk8s-plus-27 only)
 *   --only=synth,image,modules,check,publish,bake GOSHIP_BENCH_ONLY  which benches (publish
 *                      and bake only when named; bake needs scripts/buildkitd.sh started)
 *   --compare=all|smallest GOSHIP_BENCH_COMPARE  sizes whose chart YAML is compared byte for byte
 *   --profile          GOSHIP_BENCH_PROFILE=1  CPU profiles of goship's synth (.cache/bench/profiles)
 *   --build-runs=n     GOSHIP_BENCH_BUILD_RUNS   cold builds per platform
 *   --rebuild-runs=n   GOSHIP_BENCH_REBUILD_RUNS rebuilds after a one-line change (publish: warm and
 *                      no-change runs per tool)
 *   --quick            GOSHIP_BENCH_QUICK=1  smaller defaults for all of the above
 *   GOSHIP_BUILDER_IMAGE         the Go builder image (default golang:1.26, from the registry mirror)
 *   GOSHIP_BENCH_STORAGE         the bench's own buildah storage (default /var/tmp/goship-bench)
 *   GOSHIP_BENCH_STORAGE_DRIVER  its driver (default overlay when the kernel has it, else vfs)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bakeBench, printBake } from './bake-bench';
import { checkBench, printCheck } from './check-bench';
import { imageBench, printImages } from './image-bench';
import { moduleBench, printModules } from './module-bench';
import { publishBench } from './publish-bench';
import { heading, machineLine, say } from './report';
import { printSynth, synthBench } from './synth-bench';
import { TreeKind } from './trees';

// buildah pulls the builder from the registry mirror (scripts/mirror.sh), as the e2e suites do.
process.env.CONTAINERS_REGISTRIES_CONF ??= path.join(process.env.GOSHIP_MIRROR_DIR ?? '/var/tmp/goship-mirror', 'registries.conf');

function option(name: string, env: string): string | undefined {
  const flag = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (flag) {
    return flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : 'true';
  }
  return process.env[env];
}

function numbers(value: string | undefined, fallback: number[]): number[] {
  if (!value) {
    return fallback;
  }
  const xs = value.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x <= 0)) {
    throw new Error(`bench: expected positive whole numbers, got '${value}'`);
  }
  return xs;
}

async function main(): Promise<void> {
  const quick = ['true', '1'].includes(option('quick', 'GOSHIP_BENCH_QUICK') ?? '');
  const sizes = numbers(option('sizes', 'GOSHIP_BENCH_SIZES'), quick ? [300, 600, 900] : [1000, 2000, 3000]).sort((a, b) => a - b);
  const [runs] = numbers(option('runs', 'GOSHIP_BENCH_RUNS'), [3]);
  const [cdk8sRuns] = numbers(option('cdk8s-runs', 'GOSHIP_BENCH_CDK8S_RUNS'), [2]);
  const tree = (option('tree', 'GOSHIP_BENCH_TREE') ?? 'services') as TreeKind;
  const only = (option('only', 'GOSHIP_BENCH_ONLY') ?? 'synth,image,modules,check').split(',');
  const compare = option('compare', 'GOSHIP_BENCH_COMPARE') === 'smallest' ? 'smallest' : 'all';
  const profile = ['true', '1'].includes(option('profile', 'GOSHIP_BENCH_PROFILE') ?? '');
  const [buildRuns] = numbers(option('build-runs', 'GOSHIP_BENCH_BUILD_RUNS'), [1]);
  const [rebuildRuns] = numbers(option('rebuild-runs', 'GOSHIP_BENCH_REBUILD_RUNS'), [quick ? 2 : 3]);
  if (!['services', 'plain'].includes(tree)) {
    throw new Error(`bench: --tree must be services or plain, got '${tree}'`);
  }

  say('# goship bench', '', machineLine());
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-bench-'));
  try {
    if (only.includes('synth')) {
      heading(`Synth: GoshipApp.synth() against cdk8s App.synth(), same tree (${sizes.join(', ')} services)`);
      const profileDir = profile ? path.resolve(__dirname, '..', '.cache', 'bench', 'profiles') : undefined;
      if (profileDir) {
        fs.rmSync(profileDir, { recursive: true, force: true });
      }
      const opts = { sizes, runs, cdk8sRuns, tree, workdir: path.join(workdir, 'synth'), profileDir, compare } as const;
      printSynth(synthBench(opts), opts);
    }
    if (only.includes('check')) {
      const objects = quick ? [1000, 2000, 4000] : [2500, 5000, 10000];
      heading(`Check: goship check on what synth wrote, against that synth (${objects.join(', ')} Kubernetes objects)`);
      const opts = { objects, runs, workdir: path.join(workdir, 'check') };
      printCheck(await checkBench(opts), opts);
    }
    if (only.includes('image')) {
      heading('Images: examples/hello built with buildah and with BuildKit from the Dockerfile goship renders');
      const builderImage = process.env.GOSHIP_BUILDER_IMAGE ?? 'golang:1.26';
      // Next to the bench's buildah storage: build contexts and cache mounts on the same disk.
      const storageHome = process.env.GOSHIP_BENCH_STORAGE ?? '/var/tmp/goship-bench';
      fs.mkdirSync(storageHome, { recursive: true });
      const imagesWorkdir = fs.mkdtempSync(path.join(storageHome, 'work-'));
      const result = await imageBench({
        workdir: imagesWorkdir,
        builderImage,
        storageHome,
        driver: process.env.GOSHIP_BENCH_STORAGE_DRIVER,
        coldRuns: buildRuns,
        rebuildRuns,
      }).finally(() => fs.rmSync(imagesWorkdir, { recursive: true, force: true }));
      if ('skipped' in result) {
        say(`SKIPPED: the image size and build benches need buildah and the builder image, and ${result.skipped}.`,
          'Run `sudo bash scripts/e2e-setup.sh` to install both, then `npm run bench -- --only=image`.');
      } else {
        printImages(result);
      }
    }
    if (only.includes('modules')) {
      heading('Several images from one module: 1 against 3, with and without goship\'s shared cache mounts');
      const storageHome = process.env.GOSHIP_BENCH_STORAGE ?? '/var/tmp/goship-bench';
      fs.mkdirSync(storageHome, { recursive: true });
      const modulesWorkdir = fs.mkdtempSync(path.join(storageHome, 'modules-'));
      const result = await moduleBench({
        workdir: modulesWorkdir,
        builderImage: process.env.GOSHIP_BUILDER_IMAGE ?? 'golang:1.26',
        storageHome,
        driver: process.env.GOSHIP_BENCH_STORAGE_DRIVER,
      }).finally(() => fs.rmSync(modulesWorkdir, { recursive: true, force: true }));
      if ('skipped' in result) {
        say(`SKIPPED: the module bench needs buildah and the builder image, and ${result.skipped}.`);
      } else {
        printModules(result);
      }
    }
    if (only.includes('publish')) {
      heading('Publish: goship publish against ko build and BuildKit on the generated Dockerfile (examples/hello, linux/amd64, one local registry)');
      const result = await publishBench({
        workdir: path.join(workdir, 'publish'),
        // Through the engine's registry mirror (scripts/mirror.sh), as the e2e suites build.
        builderImage: process.env.GOSHIP_BUILDER_IMAGE ?? 'golang:1.26',
        repoRoot: path.resolve(__dirname, '..'),
        runs: rebuildRuns,
      });
      if (result) {
        say(`SKIPPED: the publish bench needs ko: ${result.skipped}.`);
      }
    }
    if (only.includes('bake')) {
      heading('Bake: hello and the shop\'s three images, both platforms, on a standalone BuildKit');
      // The builder image comes from the suite's registry mirror (scripts/mirror.sh), buildkitd's Docker Hub mirror.
      const result = bakeBench({ workdir: fs.mkdtempSync(path.join(workdir, 'bake-')) });
      if ('skipped' in result) {
        say(`SKIPPED: the bake bench needs ${result.skipped}.`);
      } else {
        printBake(result);
      }
    }
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { PUBLISH_PLAN_ENV, PublishPlans } from '../app/publish-plans';
import { PINS_FILE } from '../pin/pins';
import { publishImages } from '../publish/publish';
import { PinsResolver } from '../publish/resolver';
import { parseCommand, usageError } from './command';
import type { CliIo } from './main';

const USAGE = `usage: goship publish [--image NAME]... [--app CMD] [--pins ${PINS_FILE}] [--ca-bundle F] [--zoneinfo D] [--rebuild]

Builds every GoStaticImage of the app with \`go build\` on this machine, assembles its runtime
image (the same files, user, entrypoint, env, port and labels as its Dockerfile) and pushes it
to its repository, without Docker or BuildKit; then writes the digests into the pin file that
synth reads, and re-pins the synthesized YAML when it is current. Needs only Go: the go found
through GOSHIP_GO, else PATH; GOPROXY, GOFLAGS and the other go settings pass through from the
environment. Loopback registries (127.0.0.1:<port>, localhost:<port>) are spoken to over http;
credentials come from auths in $DOCKER_CONFIG/config.json or ~/.docker/config.json.
An image whose inputs (files, build settings, go, runtime files, target) are those of its last
publish, and whose tag the registry still serves at that digest, is neither built nor pushed;
the records live in $GOSHIP_CACHE_DIR/publish (default ~/.cache/goship/publish).

  --image NAME   publish only this image (repeatable; default: every image)
  --app CMD      the command that runs the app (default: 'app' of cdk8s.yaml, as cdk8s synth runs it)
  --pins F       the pin file (default: the app's pinsFile, else ${PINS_FILE})
  --ca-bundle F  the CA bundle scratch-based images get (default: /etc/ssl/certs/ca-certificates.crt)
  --zoneinfo D   the zoneinfo copied when timeZoneData is 'copied' (default: /usr/share/zoneinfo)
  --rebuild      build and push every selected image even when its inputs are unchanged
Exit code: 0 published, 1 failed (nothing recorded), 2 bad usage.`;
const COMMAND = { name: 'publish', usage: USAGE };

/** `goship publish`: see {@link USAGE}. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(COMMAND, args, io, {
    'image': { type: 'string', multiple: true },
    'app': { type: 'string' },
    'pins': { type: 'string' },
    'ca-bundle': { type: 'string' },
    'zoneinfo': { type: 'string' },
    'rebuild': { type: 'boolean' },
  });
  if (typeof parsed === 'number') {
    return parsed;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    return usageError(COMMAND, io, `unexpected argument '${positionals[0]}'`);
  }
  const app = values.app ?? appCommand();
  const plans = await runApp(app);
  const wanted = values.image ?? [];
  const unknown = wanted.filter((n) => !plans.images.some((p) => p.name === n));
  if (unknown.length > 0) {
    return usageError(COMMAND, io, `no image named ${unknown.map((n) => `'${n}'`).join(', ')} in the app (it has ${plans.images.map((p) => `'${p.name}'`).join(', ') || 'none'})`);
  }
  const images = wanted.length > 0 ? plans.images.filter((p) => wanted.includes(p.name)) : plans.images;
  if (images.length === 0) {
    throw new Error(`the app (${app}) has no GoStaticImage to publish`);
  }
  const pinsFile = path.resolve(values.pins ?? plans.pinsFile ?? PINS_FILE);
  const published = await publishImages(images, {
    resolver: new PinsResolver({ pinsFile, outdir: plans.outdir }),
    runtimeFiles: { caBundle: values['ca-bundle'], zoneinfo: values.zoneinfo },
    log: (line) => io.out(line),
    rebuild: values.rebuild === true,
  });
  io.out(`published ${published.size} image(s); pins in ${path.relative(process.cwd(), pinsFile) || pinsFile}`);
  return 0;
}

/** The `app` command of `cdk8s.yaml` in the working folder. */
function appCommand(): string {
  const file = path.resolve('cdk8s.yaml');
  if (!fs.existsSync(file)) {
    throw new Error(`no cdk8s.yaml in ${process.cwd()} — run goship publish where cdk8s synth runs, or pass --app '<command that runs the app>'`);
  }
  const config = parseYaml(fs.readFileSync(file, 'utf8')) as { app?: unknown } | null;
  if (typeof config?.app !== 'string' || config.app.trim() === '') {
    throw new Error(`${file} has no 'app' command — add one (e.g. app: npx ts-node main.ts), or pass --app`);
  }
  return config.app;
}

/**
 * Runs the app command through the shell, as `cdk8s synth` does (with `CDK8S_OUTDIR` set), with
 * `GOSHIP_PUBLISH_PLAN` telling GoshipApp's synth to write its images' plans instead of its output.
 */
async function runApp(command: string): Promise<PublishPlans> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-publish-plan-'));
  try {
    const file = path.join(dir, 'plans.json');
    const stderr: Buffer[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, {
        shell: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CDK8S_OUTDIR: process.env.CDK8S_OUTDIR ?? path.join(dir, 'out'), [PUBLISH_PLAN_ENV]: file },
      });
      child.stderr.on('data', (c: Buffer) => stderr.push(c));
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new Error(`the app command '${command}' failed (exit ${code}):\n${Buffer.concat(stderr).toString('utf8').trim()}`);
    }
    if (!fs.existsSync(file)) {
      throw new Error(`the app command '${command}' ran but wrote no image plans — its app must be a GoshipApp that calls synth()`);
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PublishPlans;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

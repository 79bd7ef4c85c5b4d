/**
 * The real Pulumi engine for the end-to-end suites: the CLI and the two resource plugins built
 * from their Go modules by `scripts/e2e-setup.sh tools`, installed into a Pulumi home the
 * suite owns with `pulumi plugin install --file` (no download), a file backend and passphrase
 * secrets in folders the suite owns. Programs run through test/e2e/pulumi/stack-run.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { StackRunRequest, StackRunResult } from '../pulumi/stack-run';
import { toolsBin } from './buildx';
import { Cleanup } from './cleanup';
import { IN_CI } from './prerequisites';
import { REPO_ROOT, run, RunResult } from './process';

/** The Pulumi tools and the plugin versions the npm SDKs ask for (package.json). */
export const PULUMI_TOOLS = ['pulumi', 'pulumi-docker-build', 'pulumi-kubernetes'] as const;
/** Plugin name → the version its npm package asks for. */
export const PULUMI_PLUGINS: Readonly<Record<string, string>> = {
  'kubernetes': npmPluginVersion('@pulumi/kubernetes'),
  'docker-build': npmPluginVersion('@pulumi/docker-build'),
};

function npmPluginVersion(pkg: string): string {
  const json = JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { pulumi?: { version?: string } };
  if (!json.pulumi?.version) {
    throw new Error(`${pkg}/package.json has no pulumi.version`);
  }
  return json.pulumi.version;
}

/**
 * Builds (or finds, by their stamps) the CLI and the plugins. A cold build takes long: see the
 * README. In CI a failed build fails the suite; elsewhere it is printed and false returned.
 */
export async function requirePulumiTools(): Promise<boolean> {
  try {
    await run('bash', [path.join(REPO_ROOT, 'scripts', 'e2e-setup.sh'), 'tools', ...PULUMI_TOOLS], { timeoutMs: 3 * 60 * 60 * 1000 });
    return true;
  } catch (e) {
    if (IN_CI) {
      throw e;
    }
    console.warn(`SKIPPING Pulumi e2e suite — the engine could not be built: ${(e as Error).message}`);
    return false;
  }
}

/** An engine set up in folders a suite owns. */
export interface PulumiEngine {
  /** The folder holding bin/pulumi. */
  readonly root: string;
  /** Environment for every engine run (home, backend, passphrase, no downloads). */
  readonly env: Readonly<Record<string, string>>;
  /** The state folder of the file backend. */
  readonly stateDir: string;
  /** Runs the CLI with the engine's environment. */
  cli(args: readonly string[], extraEnv?: Readonly<Record<string, string>>): Promise<RunResult>;
}

/**
 * A Pulumi home, a file backend and a passphrase in folders of `cleanup`, with both plugins
 * installed from their built binaries (`pulumi plugin install resource NAME VERSION --file`).
 */
export async function setUpEngine(cleanup: Cleanup, extraEnv: Readonly<Record<string, string>> = {}): Promise<PulumiEngine> {
  const bin = toolsBin();
  const dir = cleanup.tmpdir('pulumi');
  const stateDir = path.join(dir, 'state');
  const home = path.join(dir, 'home');
  fs.mkdirSync(stateDir);
  fs.mkdirSync(home);
  const passphraseFile = path.join(dir, 'passphrase');
  fs.writeFileSync(passphraseFile, `goship-e2e-${process.pid}-${Date.now()}`, { mode: 0o600 });
  const env: Record<string, string> = {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    HOME: home,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_IGNORE_AMBIENT_PLUGINS: 'true',
    TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'),
    ...extraEnv,
  };
  const root = path.dirname(bin);
  const cli = (args: readonly string[], more: Readonly<Record<string, string>> = {}): Promise<RunResult> =>
    run(path.join(bin, 'pulumi'), args, { env: { ...env, ...more }, cwd: dir });
  for (const [name, version] of Object.entries(PULUMI_PLUGINS)) {
    await cli(['plugin', 'install', 'resource', name, version, '--file', path.join(bin, `pulumi-resource-${name}`)]);
  }
  return { root, env, stateDir, cli };
}

/** Options of {@link stackRun}. */
export type StackRunOptions = Omit<StackRunRequest, 'pulumiRoot' | 'env' | 'program'> & { readonly program?: string; readonly env?: Readonly<Record<string, string>> };

/**
 * Runs one operation of a program (default: the repository's Pulumi.ts) in a child Node process,
 * with the engine's environment; resolves with its result and everything it printed.
 */
export async function stackRun(engine: PulumiEngine, options: StackRunOptions): Promise<StackRunResult & { readonly log: string }> {
  const request: StackRunRequest = {
    ...options,
    program: options.program ?? path.join(REPO_ROOT, 'Pulumi.ts'),
    pulumiRoot: engine.root,
    env: { ...engine.env, ...options.env },
  };
  const file = path.join(options.workDir, `request-${options.op}.json`);
  fs.writeFileSync(file, JSON.stringify(request));
  const tsNode = path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node');
  const result = await run(tsNode, ['--transpile-only', path.join(REPO_ROOT, 'test', 'e2e', 'pulumi', 'stack-run.ts'), file], {
    cwd: options.workDir,
    env: { ...process.env, ...request.env },
    timeoutMs: 60 * 60 * 1000,
    allowFailure: true,
  });
  fs.rmSync(file);
  const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    throw new Error(`stack-run ${options.op} printed no result (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...(JSON.parse(line.slice('RESULT '.length)) as StackRunResult), log: `${result.stdout}\n${result.stderr}` };
}

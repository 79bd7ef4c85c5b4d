/**
 * Runs one operation of this repository's Pulumi program (Pulumi.ts) on the real Pulumi engine,
 * in its own Node process: `ts-node --transpile-only test/e2e/pulumi/stack-run.ts <request.json>`.
 *
 * The engine is the `pulumi` CLI built from its Go module (scripts/tools/pulumi). The Node.js
 * language host `pulumi-language-nodejs` cannot be built here (its module is not served by the
 * Go module proxy), so the program runs through the Automation API's inline program: the
 * Node SDK serves the language runtime itself and `pulumi` connects to it (`--client`). The
 * program, the engine, the providers, the state and the secrets are all real; only the process
 * that starts the program differs from `pulumi up` in a shell.
 *
 * The request names the stack, its folder, environment and config; the result (outputs,
 * summary, stdout/stderr of the engine) is printed as one JSON line after `RESULT `.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigMap, LocalWorkspace, PulumiCommand, Stack } from '@pulumi/pulumi/automation';

/** What one run does. */
export interface StackRunRequest {
  /** preview | up | destroy | outputs | refresh */
  readonly op: 'preview' | 'up' | 'destroy' | 'outputs' | 'refresh';
  /** The stack name (the project is read from the program's Pulumi.yaml). */
  readonly stack: string;
  /** The folder the workspace lives in: Pulumi.yaml copy and stack settings (the test owns it). */
  readonly workDir: string;
  /** The program module to run (absolute path). */
  readonly program: string;
  /** The folder holding bin/pulumi. */
  readonly pulumiRoot: string;
  /** Environment for the engine and the providers. */
  readonly env: Readonly<Record<string, string>>;
  /** Stack config, key → value; `secret` marks values to store encrypted. */
  readonly config?: Readonly<Record<string, { readonly value: string; readonly secret?: boolean }>>;
  /** For preview: fail if anything would change. */
  readonly expectNoChanges?: boolean;
}

/** What one run printed and returned. */
export interface StackRunResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly changes?: Record<string, number>;
  readonly outputs?: Record<string, { value: unknown; secret: boolean }>;
}

async function openStack(request: StackRunRequest): Promise<Stack> {
  const pulumiCommand = await PulumiCommand.get({ root: request.pulumiRoot });
  const program = async (): Promise<Record<string, unknown>> => {
    // A fresh module each run: the program registers its resources when it is loaded.
    delete require.cache[require.resolve(request.program)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ...(require(request.program) as Record<string, unknown>) };
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: request.stack, projectName: 'hello', program },
    {
      workDir: request.workDir,
      pulumiCommand,
      envVars: { ...request.env },
      secretsProvider: 'passphrase',
    },
  );
  if (request.config) {
    const config: ConfigMap = {};
    for (const [key, { value, secret }] of Object.entries(request.config)) {
      config[key] = { value, secret: secret === true };
    }
    await stack.setAllConfig(config);
  }
  return stack;
}

async function run(request: StackRunRequest): Promise<StackRunResult> {
  const stack = await openStack(request);
  switch (request.op) {
    case 'preview': {
      const r = await stack.preview({ expectNoChanges: request.expectNoChanges, diff: true });
      return { ok: true, stdout: r.stdout, stderr: r.stderr, changes: r.changeSummary as Record<string, number> };
    }
    case 'up': {
      const r = await stack.up({ diff: true });
      return { ok: true, stdout: r.stdout, stderr: r.stderr, changes: r.summary.resourceChanges as Record<string, number>, outputs: r.outputs };
    }
    case 'refresh': {
      const r = await stack.refresh();
      return { ok: true, stdout: r.stdout, stderr: r.stderr, changes: r.summary.resourceChanges as Record<string, number> };
    }
    case 'destroy': {
      const r = await stack.destroy();
      return { ok: true, stdout: r.stdout, stderr: r.stderr, changes: r.summary.resourceChanges as Record<string, number> };
    }
    case 'outputs':
      return { ok: true, stdout: '', stderr: '', outputs: await stack.outputs() };
  }
}

async function main(): Promise<void> {
  const request = JSON.parse(fs.readFileSync(path.resolve(process.argv[2]), 'utf8')) as StackRunRequest;
  let result: StackRunResult;
  try {
    result = await run(request);
  } catch (e) {
    const err = e as { message?: string; commandResult?: { stdout: string; stderr: string } };
    result = { ok: false, error: err.message ?? String(e), stdout: err.commandResult?.stdout ?? '', stderr: err.commandResult?.stderr ?? '' };
  }
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
}

void main();

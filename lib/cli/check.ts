import { promises as fs } from 'fs';
import * as path from 'path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { BOUNDS, BoundError, readTextBounded } from '../bounds';
import { ValidationError } from '../model/errors';
import {
  CheckReport, POLICY_RULES, PolicyInput, PssLevel, checkInputs, countFindings, isDockerfileName, isManifestName, listPolicyFiles,
} from '../policy';
import { FORMATS, Format, formatReport } from './check-format';
import type { CliIo } from './main';

const HELP = `usage: goship check [options] <path>...

Checks Kubernetes YAML (multi-document, merge keys resolved) and Dockerfiles: Pod Security
Standards, probes, resources, image tags, selectors and Service ports; a numeric non-root
USER, a static binary for static bases, exec-form ENTRYPOINT, pinned bases.

<path> is a folder (walked for *.yaml, *.yml, *.json and Dockerfiles, skipping node_modules and
hidden folders), a file, a glob ('deploy/**/*.yaml', quoted) or - for standard input
(YAML, or a Dockerfile when it starts with FROM or ARG). All objects are checked together.

  --level <baseline|restricted>  Pod Security level to enforce (default restricted)
  --kubernetes-version <1.NN>    Pod Security Standards of that version, 1.25 to 1.37 (default 1.37)
  --format <text|json|sarif|github>
                                 output: for a terminal (default), JSON, SARIF 2.1.0 for code
                                 scanning, or GitHub Actions annotations
  --json                         same as --format json
  --skip <rule|group>            do not run a rule or a group such as probes (repeatable, or a,b)
  --list-rules                   print every rule id, severity and description

An object opts out of rules with the annotation goship.dev/skip: <rule|group>[,...].

Exit code: 0 no errors (warnings and notices allowed), 1 at least one error,
2 bad usage, or nothing to check (no Kubernetes object and no Dockerfile).`;

/** What `run` reads besides its arguments; injected by tests. */
export interface CheckEnv {
  /** Paths are resolved, and findings named, relative to it. @default process.cwd() */
  readonly cwd?: string;
  /** Reads all of standard input. @default - the process's stdin */
  readonly stdin?: () => Promise<string>;
}

/**
 * `goship check [options] <path>...`: runs the policy gate over manifests and Dockerfiles
 * and prints what it finds.
 *
 * @returns 0 when there is no error-severity finding, 1 when there is one, 2 on bad usage or when there is nothing to check
 * @example
 * goship check --level baseline --format sarif dist > goship.sarif
 */
export async function run(args: readonly string[], io: CliIo, env: CheckEnv = {}): Promise<number> {
  let format: Format = 'text';
  const opts: { skip: string[]; level?: PssLevel; kubernetesVersion?: string } = { skip: [] };
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--help' || flag === '-h') {
      io.out(HELP);
      return 0;
    } else if (flag === '--list-rules') {
      for (const r of POLICY_RULES) {
        io.out(`${r.id.padEnd(42)} ${r.severity.padEnd(7)} ${r.description}`);
      }
      return 0;
    } else if (flag === '--json') {
      format = 'json';
    } else if (flag === '--format') {
      const v = value();
      if (!FORMATS.includes(v as Format)) {
        return usageError(io, `--format takes ${FORMATS.join(', ')}${v === undefined ? '' : `, not '${v}'`}`);
      }
      format = v as Format;
    } else if (flag === '--level' || flag === '--kubernetes-version' || flag === '--skip') {
      const v = value();
      if (v === undefined || v === '' || v.startsWith('--')) {
        return usageError(io, `${flag} needs a value`);
      }
      if (flag === '--level') {
        opts.level = v as PssLevel;
      } else if (flag === '--kubernetes-version') {
        opts.kubernetesVersion = v;
      } else {
        opts.skip.push(...v.split(','));
      }
    } else if (a.startsWith('-') && a !== '-') {
      return usageError(io, `unknown option '${a}'`);
    } else {
      targets.push(a);
    }
  }
  if (targets.length === 0) {
    return usageError(io, 'no path given');
  }

  let report: CheckReport;
  try {
    report = checkInputs(await readTargets(targets, env), opts);
  } catch (e) {
    if (e instanceof ValidationError || e instanceof UsageError || e instanceof BoundError) {
      return usageError(io, e.message);
    }
    throw e;
  }
  io.out(formatReport(report, format));
  const { errors } = countFindings(report.findings);
  if (errors === 0 && report.objects === 0 && report.dockerfiles === 0) {
    io.err(`goship check: nothing to check: no Kubernetes object and no Dockerfile in ${targets.join(' ')}`);
    return 2;
  }
  return errors > 0 ? 1 : 0;
}

class UsageError extends Error {}

/** Reads every path, folder, glob or `-` into inputs, each file once, in argument order. */
async function readTargets(targets: readonly string[], env: CheckEnv): Promise<PolicyInput[]> {
  const cwd = env.cwd ?? process.cwd();
  const name = (abs: string) => {
    const rel = path.relative(cwd, abs);
    return (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel).split(path.sep).join('/');
  };
  const files = new Map<string, PolicyInput['type']>();
  const inputs: PolicyInput[] = [];
  for (const target of targets) {
    if (target === '-') {
      const text = await (env.stdin ?? readStdin)();
      inputs.push({ file: '<stdin>', text, type: /^\s*(#[^\n]*\n\s*)*(FROM|ARG)\s/i.test(text) ? 'dockerfile' : 'yaml' });
      continue;
    }
    const abs = path.resolve(cwd, target);
    const stat = await fs.stat(abs).catch(() => undefined);
    if (stat?.isDirectory()) {
      for (const rel of await listPolicyFiles(abs)) {
        files.set(path.join(abs, rel), isDockerfileName(path.basename(rel)) ? 'dockerfile' : 'yaml');
      }
    } else if (stat) {
      files.set(abs, isDockerfileName(path.basename(abs)) ? 'dockerfile' : 'yaml');
    } else if (isDynamicPattern(target)) {
      const matches = await glob(target, { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] });
      for (const m of matches.sort()) {
        const base = path.basename(m);
        if (isManifestName(base) || isDockerfileName(base)) {
          files.set(path.normalize(m), isDockerfileName(base) ? 'dockerfile' : 'yaml');
        }
      }
    } else {
      throw new UsageError(`'${target}' does not exist`);
    }
  }
  for (const [abs, type] of files) {
    inputs.push({ file: name(abs), text: readTextBounded(abs), type });
  }
  return inputs;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    total += (chunk as Buffer).length;
    if (total > BOUNDS.textFileBytes) {
      throw new BoundError('<stdin>', 'standard input', `${BOUNDS.textFileBytes} bytes`);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function usageError(io: CliIo, message: string): number {
  io.err(`goship check: ${message}`);
  io.err("Run 'goship check --help' for usage.");
  return 2;
}

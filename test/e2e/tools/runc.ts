/** umoci unpacks an image into a runtime bundle; runc runs it on the host's loopback. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Cleanup } from './cleanup';
import { exited, run, RunResult, sleep, tail, uniqueName } from './process';

/** Options of {@link unpackBundle}. */
export interface UnpackOptions {
  /** Extra environment for the process (e.g. `PORT`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A static emulator (e.g. `/usr/bin/qemu-aarch64-static`) copied into the bundle's rootfs (not
   * the image) and put before the entrypoint, to start a foreign-architecture image.
   */
  readonly emulator?: string;
  /** Arguments after the entrypoint, as a container's `args` give them. */
  readonly args?: readonly string[];
}

/** The parts of a runtime-spec config.json the tests change. */
interface RuntimeConfig {
  process: { terminal?: boolean; args: string[]; env?: string[]; user: { uid: number; gid: number } };
  linux: { namespaces: Array<{ type: string }> };
}

/**
 * `umoci unpack` an image of an OCI layout into a runtime bundle and makes it runnable here:
 * no terminal, and no network namespace, so a port the process listens on is reachable on the
 * host's loopback. The image's user (uid/gid) is kept as umoci wrote it.
 */
export async function unpackBundle(layout: string, ref: string, bundle: string, options: UnpackOptions = {}): Promise<string> {
  await run('umoci', ['unpack', '--image', `${layout}:${ref}`, bundle]);
  const file = path.join(bundle, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeConfig;
  config.process.terminal = false;
  config.process.env = [...(config.process.env ?? []), ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  config.linux.namespaces = config.linux.namespaces.filter((ns) => ns.type !== 'network');
  config.process.args = [...config.process.args, ...(options.args ?? [])];
  if (options.emulator) {
    const inside = `/.${path.basename(options.emulator)}`;
    fs.copyFileSync(options.emulator, path.join(bundle, 'rootfs', inside));
    fs.chmodSync(path.join(bundle, 'rootfs', inside), 0o755);
    config.process.args = [inside, ...config.process.args];
  }
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return bundle;
}

/** The user a bundle's process runs as (from config.json). */
export function bundleUser(bundle: string): { uid: number; gid: number } {
  return (JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeConfig).process.user;
}

/** A container started by {@link runcRun}. */
export interface RuncContainer {
  readonly id: string;
  /** The container's init process, as the host sees it. */
  readonly pid: number;
  /** What the process printed so far (stdout and stderr). */
  log(): string;
  /** runc's view: `running`, `stopped`, … (`gone` once deleted). */
  status(): Promise<string>;
  /** Sends a signal to the container's process (`runc kill`). */
  kill(signal: string): Promise<void>;
  /** Polls until the process has exited; false if it still runs after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<boolean>;
  /** SIGTERM, then SIGKILL after `graceMs`, then `runc delete`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

function containerId(prefix: string): string {
  return uniqueName(`goship-e2e-${prefix}`);
}

async function runcState(id: string): Promise<{ status: string; pid: number } | undefined> {
  const r = await run('runc', ['state', id], { allowFailure: true });
  return r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string; pid: number }) : undefined;
}

/**
 * `runc run -d`: starts the bundle in the background, its output going to a log file. Throws
 * (with that log) if the process is not running a moment later. Registered with `cleanup`.
 */
export async function runcRun(bundle: string, cleanup: Cleanup, name = 'app'): Promise<RuncContainer> {
  const id = containerId(name);
  const logFile = path.join(path.dirname(bundle), `${path.basename(bundle)}.${id}.log`);
  const fd = fs.openSync(logFile, 'w');
  let stopped = false;
  const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  const stop = async (graceMs = 5000) => {
    if (stopped) {
      return;
    }
    stopped = true;
    if ((await runcState(id))?.status === 'running') {
      await run('runc', ['kill', id, 'TERM'], { allowFailure: true });
      const until = Date.now() + graceMs;
      while (Date.now() < until && (await runcState(id))?.status === 'running') {
        await sleep(100);
      }
      await run('runc', ['kill', id, 'KILL'], { allowFailure: true });
    }
    await run('runc', ['delete', '--force', id], { allowFailure: true });
  };
  cleanup.add(`stop container ${id}`, () => stop(1000));
  try {
    // runc -d returns once the process started; it keeps our stdio, so give it the log file.
    const child = spawn('runc', ['run', '--detach', '--bundle', bundle, id], { stdio: ['ignore', fd, fd] });
    const code = await exited(child);
    if (code !== 0) {
      throw new Error(`\`runc run --detach --bundle ${bundle} ${id}\` exited with ${code}\n${tail(readLog(), 40)}`);
    }
  } finally {
    fs.closeSync(fd);
  }
  await sleep(200);
  const state = await runcState(id);
  if (state?.status !== 'running') {
    await stop();
    throw new Error(`container ${id} is ${state?.status ?? 'gone'} right after start:\n${tail(readLog(), 40)}`);
  }
  const status = async () => (await runcState(id))?.status ?? 'gone';
  const kill = async (signal: string) => {
    await run('runc', ['kill', id, signal]);
  };
  const waitForExit = async (timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while ((await status()) === 'running') {
      if (Date.now() > until) {
        return false;
      }
      await sleep(100);
    }
    return true;
  };
  return { id, pid: state.pid, log: readLog, status, kill, waitForExit, stop };
}

/** `runc run` in the foreground until the process exits: its exit code and output. */
export async function runcRunToExit(bundle: string, cleanup: Cleanup, name = 'app', timeoutMs = 60_000): Promise<RunResult> {
  const id = containerId(name);
  cleanup.add(`delete container ${id}`, () => run('runc', ['delete', '--force', id], { allowFailure: true }));
  const result = await run('runc', ['run', '--bundle', bundle, id], { allowFailure: true, timeoutMs });
  await run('runc', ['delete', '--force', id], { allowFailure: true });
  return result;
}

/** The `Uid:` line of /proc/<pid>/status: real, effective, saved, filesystem. */
export function processUids(pid: number): number[] {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = /^Uid:\s+(.*)$/m.exec(status)?.[1];
  if (!line) {
    throw new Error(`no Uid line in /proc/${pid}/status`);
  }
  return line.trim().split(/\s+/).map(Number);
}

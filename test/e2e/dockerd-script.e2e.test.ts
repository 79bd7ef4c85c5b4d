/**
 * scripts/dockerd.sh, the start and stop of the suite's Docker engine: idempotent when the
 * engine runs, and a dockerd that exits or never answers fails the start with its log, in
 * bounded time, instead of hanging CI.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Cleanup, DOCKER_DIR, REPO_ROOT, requireDockerEngine, run } from './tools';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'dockerd.sh');
const describeE2E = requireDockerEngine() ? describe : describe.skip;

describeE2E('scripts/dockerd.sh', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  /** Runs the script with a stand-in `dockerd` (a shell script) first on PATH and its own directory. */
  const startWith = async (fakeDockerd: string, env: Record<string, string> = {}) => {
    const dir = cleanup.tmpdir('dockerd');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'dockerd'), `#!/bin/sh\n${fakeDockerd}\n`, { mode: 0o755 });
    return run('bash', [SCRIPT, 'start'], {
      allowFailure: true,
      timeoutMs: 60_000,
      env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, GOSHIP_DOCKER_DIR: path.join(dir, 'engine'), ...env },
    });
  };

  test('start returns at once with the pid of the engine that already runs', async () => {
    // WHEN
    const again = await run('bash', [SCRIPT, 'start'], { env: { ...process.env, GOSHIP_DOCKER_DIR: DOCKER_DIR } });
    // THEN
    const pid = fs.readFileSync(path.join(DOCKER_DIR, 'docker.pid'), 'utf8').trim();
    expect(again.stderr).toContain(`already running (pid ${pid})`);
  });

  test('fails with the last lines of its log when dockerd exits', async () => {
    // WHEN
    const r = await startWith('echo "level=fatal msg=\\"failed to start daemon: pretend\\""; exit 1');
    // THEN
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('| level=fatal msg="failed to start daemon: pretend"');
    expect(r.stderr).toMatch(/error: dockerd \(pid \d+\) exited before it answered/);
  });

  test('fails with its log, and stops it, when dockerd never answers', async () => {
    // WHEN a dockerd that only sleeps, and a 2 s wait
    const r = await startWith('echo "still starting"; exec sleep 600', { GOSHIP_DOCKERD_WAIT: '2' });
    // THEN
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('| still starting');
    const pid = Number(/dockerd \(pid (\d+)\) did not answer .* within 2 s; stopped it/.exec(r.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(' Z ')).toBe(false);
  });
});

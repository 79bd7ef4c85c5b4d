/**
 * scripts/buildkitd.sh, the start and stop of the standalone BuildKit and its registry:
 * idempotent when they run, `env` for `docker buildx`, and a buildkitd that exits or never
 * answers fails the start with its log, in bounded time, and is stopped by its pid.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildkitEnv, buildx, Cleanup, REPO_ROOT, requireBuildkit, run, toolsBin } from './tools';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'buildkitd.sh');
const describeE2E = requireBuildkit() ? describe : describe.skip;

describeE2E('scripts/buildkitd.sh', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  /** Runs `start` in a folder of its own (stopped again by `stop` at cleanup). */
  const startIn = async (dir: string, env: Record<string, string> = {}) => {
    const e = { ...process.env, GOSHIP_BUILDKIT_DIR: dir, ...env };
    cleanup.add(`stop buildkitd.sh in ${dir}`, () => run('bash', [SCRIPT, 'stop'], { env: e, allowFailure: true }));
    return run('bash', [SCRIPT, 'start'], { allowFailure: true, timeoutMs: 120_000, env: e });
  };
  const gone = (pid: number) => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(' Z ');

  test('start returns at once when both run; env names the remote builder that buildx uses, and the registry', async () => {
    // WHEN
    const again = await run('bash', [SCRIPT, 'start']);
    const env = buildkitEnv();
    const inspect = await buildx(['inspect']);
    // THEN
    expect(again.exitCode).toBe(0);
    expect(env.GOSHIP_BUILD_REGISTRY).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(inspect.stdout).toMatch(new RegExp(`^Name:\\s+${env.BUILDX_BUILDER}$`, 'm'));
    expect(inspect.stdout).toMatch(/^Driver:\s+remote$/m);
    expect(inspect.stdout).toMatch(/^Status:\s+running$/m);
    expect(inspect.stdout).toContain(env.BUILDKIT_HOST);
  });

  test('fails with the last lines of its log when buildkitd exits (a socket path too long for unix sockets)', async () => {
    // GIVEN a folder whose socket path passes the 108 bytes of sun_path
    const dir = path.join(cleanup.tmpdir('bk'), 'x'.repeat(110));
    // WHEN
    const r = await startIn(dir);
    // THEN
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/\| .*buildkitd\.sock/);
    expect(r.stderr).toMatch(/error: buildkitd \(pid \d+\) exited before it answered/);
  });

  test('fails with its log, and stops it, when buildkitd never answers', async () => {
    // GIVEN a buildkitd that only sleeps, beside the real buildctl and docker-buildx, and a 2 s wait
    const tools = cleanup.tmpdir('bk-tools');
    fs.mkdirSync(path.join(tools, 'bin'));
    fs.writeFileSync(path.join(tools, 'bin', 'buildkitd'), '#!/bin/sh\necho "still starting"\nexec sleep 600\n', { mode: 0o755 });
    for (const t of ['buildctl', 'docker-buildx']) {
      fs.symlinkSync(path.join(toolsBin(), t), path.join(tools, 'bin', t));
    }
    // WHEN
    const r = await startIn(path.join(cleanup.tmpdir('bk-slow'), 'd'), { GOSHIP_TOOLS_DIR: tools, GOSHIP_BUILDKITD_WAIT: '2' });
    // THEN
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('| still starting');
    const pid = Number(/buildkitd \(pid (\d+)\) did not answer within 2 s; stopped it/.exec(r.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(gone(pid)).toBe(true);
  });
});

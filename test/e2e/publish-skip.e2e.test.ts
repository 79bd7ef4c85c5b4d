/**
 * `goship publish`'s no-change skip with the machine's Go and Debian's docker-registry: a re-run
 * with the same inputs runs no `go build` and pushes nothing; a change to any input (a source
 * file, a go setting, the runtime files) builds again; a tag deleted from the registry builds
 * and pushes again. `go` is a wrapper that logs each go command it runs, so "built nothing"
 * is what go saw, not what publish says.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeGoModule } from '../support/go-module';
import { Cleanup, LocalRegistry, requireTools, startRegistry } from './tools';
import { publishLines, startGoship, writePublishProject } from './tools/publish-app';

const describeE2E = requireTools(['docker-registry', 'go']) ? describe : describe.skip;
const MAIN = 'package main\n\nimport "fmt"\n\nvar version = "dev"\n\nfunc main() { fmt.Println("hello", version) }\n';

describeE2E('goship publish: the no-change skip', () => {
  const cleanup = new Cleanup();
  let registry: LocalRegistry;
  let project: string;
  let module: string;
  let goLog: string;
  let env: NodeJS.ProcessEnv;

  /** Runs publish; returns its one image's line and the go commands it ran. */
  const publish = async (args: readonly string[] = [], extra: NodeJS.ProcessEnv = {}) => {
    fs.writeFileSync(goLog, '');
    const result = await startGoship(['publish', ...args], project, { ...env, ...extra }).result;
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    const line = publishLines(result).get('svc')!;
    expect(line).toBeDefined();
    return { ...line, go: fs.readFileSync(goLog, 'utf8').trim().split('\n').filter(Boolean) };
  };
  const builds = (go: readonly string[]) => go.filter((c) => c.startsWith('build '));
  const headTag = () => fetch(`http://${registry.host}/v2/team/svc/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });

  beforeAll(async () => {
    registry = await startRegistry(cleanup);
    module = makeGoModule({ git: false, goMod: 'module example.com/svc\n\ngo 1.22\n', files: { 'main.go': MAIN } });
    project = cleanup.tmpdir('skip-project');
    writePublishProject(project, [{ name: 'svc', context: module, repository: `${registry.host}/team/svc`, tag: 'v1', platforms: ['LINUX_AMD64'] }]);
    const bin = cleanup.tmpdir('skip-go');
    goLog = path.join(bin, 'go.log');
    const realGo = execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(bin, 'go'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(goLog)}\nexec ${JSON.stringify(realGo)} "$@"\n`, { mode: 0o755 });
    env = { ...process.env, GOSHIP_GO: path.join(bin, 'go'), GOSHIP_CACHE_DIR: cleanup.tmpdir('skip-cache') };
  });

  afterAll(() => cleanup.run());

  test('a no-change re-run runs no go build and pushes nothing; a changed file builds again', async () => {
    // GIVEN a first publish
    const first = await publish();
    expect(first).toMatchObject({ unchanged: false });
    expect(first.uploaded).toBeGreaterThan(0);
    expect(builds(first.go)).toHaveLength(1);
    // WHEN nothing changed
    const again = await publish();
    // THEN go only answered `go env`, and the tag names the same digest
    expect(again).toMatchObject({ unchanged: true, digest: first.digest, uploaded: 0 });
    expect(builds(again.go)).toEqual([]);
    expect(again.go.every((c) => c.startsWith('env '))).toBe(true);
    // WHEN a source file changes
    fs.writeFileSync(path.join(module, 'main.go'), MAIN.replace('"hello"', '"hello, world"'));
    const changed = await publish();
    // THEN it builds and pushes a new image
    expect(changed.unchanged).toBe(false);
    expect(builds(changed.go)).toHaveLength(1);
    expect(changed.digest).not.toBe(first.digest);
    // AND with the change undone, the record of the first inputs is stale (the tag moved on):
    // it builds again, and gives the first digest again
    fs.writeFileSync(path.join(module, 'main.go'), MAIN);
    const undone = await publish();
    expect(undone).toMatchObject({ unchanged: false, digest: first.digest });
    expect(builds(undone.go)).toHaveLength(1);
  });

  test('a go setting or other runtime files build again', async () => {
    const base = await publish();
    expect(base.unchanged).toBe(true);
    // a GOFLAGS from the environment: go builds again (here with the same binary as result)
    const flagged = await publish([], { GOFLAGS: '-tags=skiptest' });
    expect(flagged.unchanged).toBe(false);
    expect(builds(flagged.go)).toHaveLength(1);
    // another CA bundle: another runtime files layer, another digest
    const ca = path.join(cleanup.tmpdir('skip-ca'), 'ca.crt');
    fs.writeFileSync(ca, `${fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8')}\n`);
    const otherCa = await publish(['--ca-bundle', ca]);
    expect(otherCa.unchanged).toBe(false);
    expect(builds(otherCa.go)).toHaveLength(1);
    expect(otherCa.digest).not.toBe(base.digest);
  });

  test('a tag deleted from the registry is built and pushed again', async () => {
    // GIVEN the current image, recorded
    const before = await publish();
    expect((await publish()).unchanged).toBe(true);
    expect((await headTag()).headers.get('docker-content-digest')).toBe(before.digest);
    // WHEN its manifest (and with it the tag) is deleted from the registry
    const res = await fetch(`http://${registry.host}/v2/team/svc/manifests/${before.digest}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect((await headTag()).status).toBe(404);
    // THEN the next publish does not believe its record: it builds and pushes the same image
    const after = await publish();
    expect(after.unchanged).toBe(false);
    expect(builds(after.go)).toHaveLength(1);
    expect(after.digest).toBe(before.digest);
    expect((await headTag()).headers.get('docker-content-digest')).toBe(before.digest);
  });
});

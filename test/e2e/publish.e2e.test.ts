/**
 * `goship publish` end to end, with the machine's Go and Debian's docker-registry on 127.0.0.1:
 * the CLI runs the project's app from cdk8s.yaml, builds with go, pushes one index per image,
 * pins; a second run gives the same digests and uploads nothing; every failure (go build, a
 * registry that refuses, bad credentials, a kill mid-push) names the image and leaves the pin
 * file and the YAML as they were, and a re-run pushes only what is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hashSync } from 'bcryptjs';
import { writePins } from '../../lib/pin/pins';
import { makeGoModule } from '../support/go-module';
import {
  Cleanup, copyToOciLayout, goshipVerify, LocalRegistry, rawManifest, REPO_ROOT, requireTools, run, startRegistry,
} from './tools';
import { publishLines as lines, startGoship, startRegistryProxy, writePublishProject } from './tools/publish-app';

const describeE2E = requireTools(['skopeo', 'docker-registry', 'go']) ? describe : describe.skip;
const HELLO = path.join(REPO_ROOT, 'examples', 'hello');
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** The pin file and every file under dist, as bytes: what a failed publish must leave alone. */
function state(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    if (!fs.existsSync(abs)) {
      return;
    }
    if (fs.statSync(abs).isDirectory()) {
      fs.readdirSync(abs).sort().forEach((c) => walk(path.join(rel, c)));
    } else {
      out[rel] = fs.readFileSync(abs, 'utf8');
    }
  };
  walk('goship.pins.json');
  walk('dist');
  return out;
}

describeE2E('goship publish', () => {
  const cleanup = new Cleanup();
  let registry: LocalRegistry;
  let project: string;
  let env: NodeJS.ProcessEnv;
  const publish = (args: readonly string[] = [], cwd = project, extra: NodeJS.ProcessEnv = {}) => startGoship(['publish', ...args], cwd, { ...env, ...extra }).result;

  beforeAll(async () => {
    // The no-change records of this suite, not the user's.
    env = { ...process.env, GOSHIP_CACHE_DIR: cleanup.tmpdir('publish-cache') };
    registry = await startRegistry(cleanup);
    project = cleanup.tmpdir('publish-project');
    writePublishProject(project, [
      { name: 'hello', context: HELLO, repository: `${registry.host}/team/hello` },
      { name: 'hello-copy', context: HELLO, repository: `${registry.host}/team/hello-copy` },
    ]);
  });

  afterAll(() => cleanup.run());

  test('pushes one index per image, mounts what another repository has, pins, and the next synth uses the pins', async () => {
    // WHEN
    const first = await publish();
    // THEN
    expect(first).toMatchObject({ exitCode: 0, stderr: '' });
    const pushed = lines(first);
    expect([...pushed.keys()]).toEqual(['hello', 'hello-copy']);
    expect(pushed.get('hello')!.uploaded).toBeGreaterThan(0);
    // the second repository gets the same files' blobs by a cross-repository mount, not an upload
    expect(pushed.get('hello-copy')!.mounted).toBeGreaterThan(0);
    const { raw, digest } = await rawManifest(`docker://${pushed.get('hello')!.ref}`);
    expect(digest).toBe(pushed.get('hello')!.digest);
    const index = JSON.parse(raw) as { mediaType: string; manifests: { platform: { architecture: string } }[] };
    expect(index.mediaType).toBe(INDEX);
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    const pins = JSON.parse(fs.readFileSync(path.join(project, 'goship.pins.json'), 'utf8'));
    expect(pins.images.hello).toEqual({ ref: pushed.get('hello')!.ref, digest: pushed.get('hello')!.digest });
    // AND the app's next synth writes the pinned reference into the YAML
    await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'app.ts'], { cwd: project });
    expect(fs.readFileSync(path.join(project, 'dist', 'hello.k8s.yaml'), 'utf8')).toContain(`image: ${pushed.get('hello')!.ref}@${pushed.get('hello')!.digest}`);
  });

  test('a second run builds and pushes nothing (same inputs, tag still there); --image picks one image', async () => {
    const before = lines(await publish());
    const again = await publish(['--image', 'hello']);
    expect(again.exitCode).toBe(0);
    const after = lines(again);
    expect([...after.keys()]).toEqual(['hello']);
    expect(after.get('hello')).toMatchObject({ digest: before.get('hello')!.digest, unchanged: true, uploaded: 0, mounted: 0 });
  });

  test('with --rebuild a second run builds again, gives the same digests and uploads nothing', async () => {
    const before = lines(await publish());
    const again = lines(await publish(['--rebuild']));
    expect(again.get('hello')).toMatchObject({ digest: before.get('hello')!.digest, unchanged: false, uploaded: 0, mounted: 0 });
    expect(again.get('hello')!.existed).toBeGreaterThan(0);
  });

  test('goship verify passes the pushed image on both platforms', async () => {
    const layout = path.join(cleanup.tmpdir('publish-layout'), 'oci');
    const pins = JSON.parse(fs.readFileSync(path.join(project, 'goship.pins.json'), 'utf8'));
    await copyToOciLayout(`docker://${pins.images.hello.ref}`, layout, 'hello');
    const verified = await goshipVerify([layout]);
    expect(verified.stdout).toMatch(/linux\/amd64/);
    expect(verified.stdout).toMatch(/linux\/arm64/);
    expect(verified.exitCode).toBe(0);
  });

  test('fails if go build fails, naming the image; pins and YAML untouched', async () => {
    const broken = makeGoModule({ files: { 'main.go': 'package main\n\nfunc main() { undefinedCall() }\n' } });
    const dir = cleanup.tmpdir('publish-broken');
    writePublishProject(dir, [{ name: 'broken', context: broken, repository: `${registry.host}/team/broken` }]);
    writePins(path.join(dir, 'goship.pins.json'), new Map([['other', { ref: `${registry.host}/team/other:v1`, digest: `sha256:${'a'.repeat(64)}` }]]));
    const before = state(dir);
    const result = await publish([], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^goship publish: broken \(broken\/image\): go build for linux\/amd64 failed in .*\n(.|\n)*undefined: undefinedCall/);
    expect(state(dir)).toEqual(before);
  });

  test('fails if the registry refuses the push, naming the image; pins and YAML untouched', async () => {
    const readOnly = await startRegistry(cleanup, { readOnly: true });
    const dir = cleanup.tmpdir('publish-refused');
    writePublishProject(dir, [{ name: 'hello', context: HELLO, repository: `${readOnly.host}/team/hello` }]);
    const before = state(dir);
    const result = await publish([], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`goship publish: hello (hello/image): push to ${readOnly.host}/team/hello:`);
    expect(result.stderr).toMatch(/refused to start a blob upload \(405/);
    expect(state(dir)).toEqual(before);
  });

  test('fails if the credentials are refused, naming the image and the fix; pins and YAML untouched', async () => {
    const htpasswd = path.join(cleanup.tmpdir('htpasswd'), 'htpasswd');
    fs.writeFileSync(htpasswd, `ci-bot:${hashSync('right-password', 10)}\n`);
    const secured = await startRegistry(cleanup, { auth: { htpasswd } });
    const config = cleanup.tmpdir('docker-config');
    fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('ci-bot:wrong-password').toString('base64') } } }));
    const dir = cleanup.tmpdir('publish-auth');
    writePublishProject(dir, [{ name: 'hello', context: HELLO, repository: `${secured.host}/team/hello` }]);
    const before = state(dir);
    const result = await publish([], dir, { DOCKER_CONFIG: config });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`goship publish: hello (hello/image): push to ${secured.host}/team/hello:`);
    expect(result.stderr).toContain(`(401 Unauthorized) — check auths['${secured.host}'] in the Docker config (docker login ${secured.host})`);
    expect(state(dir)).toEqual(before);
  });

  test('a kill mid-push leaves pins and YAML untouched; the re-run pushes only what is missing', async () => {
    // GIVEN a proxy in front of the registry that kills the publish when it PUTs its first
    // manifest: the first platform's blobs (uploaded side by side) have all arrived by then
    const target = await startRegistry(cleanup);
    let uploads = 0;
    let uploadsBeforeKill = 0;
    let kill: (() => void) | undefined;
    const proxy = await startRegistryProxy(target.host, cleanup, (req) => {
      if (req.method === 'PUT' && req.url!.includes('/blobs/uploads/')) {
        uploads++;
      }
      if (req.method === 'PUT' && req.url!.includes('/manifests/') && kill) {
        uploadsBeforeKill = uploads;
        kill();
        return true;
      }
      return false;
    });
    const dir = cleanup.tmpdir('publish-kill');
    writePublishProject(dir, [{ name: 'hello', context: HELLO, repository: `${proxy.host}/team/hello` }]);
    await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'app.ts'], { cwd: dir });
    const before = state(dir);
    // WHEN
    const { child, result } = startGoship(['publish'], dir, env);
    kill = () => child.kill('SIGKILL');
    const killed = await result;
    // THEN
    expect(killed.signal).toBe('SIGKILL');
    expect(uploadsBeforeKill).toBe(3);
    expect(state(dir)).toEqual(before);
    // AND the re-run skips the blobs that arrived: no record was written, so it builds again
    kill = undefined;
    const rerun = await publish([], dir);
    expect(rerun.exitCode).toBe(0);
    const pushed = lines(rerun).get('hello')!;
    expect(pushed.unchanged).toBe(false);
    expect(pushed.existed).toBeGreaterThanOrEqual(3);
    expect(pushed.uploaded).toBe(uploads - uploadsBeforeKill);
    expect(fs.readFileSync(path.join(dir, 'dist', 'hello.k8s.yaml'), 'utf8')).toContain(`${pushed.ref}@${pushed.digest}`);
  });
});

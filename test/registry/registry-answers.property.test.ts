import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { ResolveOptions, resolveDigest } from '../../lib/registry/distribution';
import { pullImage } from '../../lib/registry/pull';
import { RegistryRepo } from '../../lib/registry/push';
import { ByteMutation, byteMutation, JsonMutation, jsonMutation, mutateBytes, mutateJson } from '../support/mutate';

/*
 * Fuzzing of the registry client against answers a local server generates: a valid registry
 * (Bearer token, an index, its manifest, config and layer), with one answer broken — its
 * status, a header, or its body. The property: the operation returns, or throws an Error
 * that names the reference and is not a TypeError, a RangeError or a raw JSON SyntaxError.
 * (A real registry never answers like this, so the server is written here.)
 */

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const creds: ResolveOptions['credentials'] = () => ({ kind: 'found', credentials: { username: 'ci', password: 'pw' } });

interface Reply { status: number; headers: Record<string, string>; body: Buffer; huge?: boolean; challenge?: string }
type Route = 'token' | 'tag' | 'manifest' | 'config' | 'layer';
const ROUTES: Route[] = ['token', 'tag', 'manifest', 'config', 'layer'];

/** A valid registry's answers for `team/app:v1`, by route. */
function validAnswers(): { replies: Record<Route, Reply>; digests: Record<'manifest' | 'config' | 'layer' | 'index', string> } {
  const layer = Buffer.from('not really a tar, the pull only checks its digest');
  const config = json({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/app'] }, rootfs: { type: 'layers', diff_ids: [sha(layer)] } });
  const manifest = json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }] });
  const index = json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } }] });
  const typed = (body: Buffer, type: string): Reply => ({ status: 200, headers: { 'Content-Type': type, 'Docker-Content-Digest': sha(body) }, body });
  return {
    replies: {
      token: { status: 200, headers: { 'Content-Type': 'application/json' }, body: json({ token: 'tok', expires_in: 300 }) },
      tag: typed(index, 'application/vnd.oci.image.index.v1+json'),
      manifest: typed(manifest, 'application/vnd.oci.image.manifest.v1+json'),
      config: typed(config, 'application/octet-stream'),
      layer: typed(layer, 'application/octet-stream'),
    },
    digests: { manifest: sha(manifest), config: sha(config), layer: sha(layer), index: sha(index) },
  };
}

type AnswerMutation =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'header'; readonly name: string; readonly value: string }
  | { readonly kind: 'json'; readonly m: JsonMutation }
  | { readonly kind: 'bytes'; readonly m: ByteMutation }
  | { readonly kind: 'huge' }
  | { readonly kind: 'challenge'; readonly value: string };

const answerMutation: fc.Arbitrary<AnswerMutation> = fc.oneof(
  fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(200, 201, 202, 204, 301, 302, 307, 400, 401, 403, 404, 416, 429, 500, 503) }),
  fc.record({ kind: fc.constant('header' as const), name: fc.constantFrom('Content-Type', 'Docker-Content-Digest', 'Location', 'Content-Range'),
    value: fc.oneof(fc.constantFrom('', 'x', 'sha256:', `sha256:${'0'.repeat(64)}`, 'application/vnd.oci.image.index.v1+json', 'application/json; charset=utf-8', '//', 'http://[::1', 'ftp://127.0.0.1/'), fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))) }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('json' as const), m: jsonMutation }) },
  fc.record({ kind: fc.constant('bytes' as const), m: byteMutation }),
  fc.record({ kind: fc.constant('huge' as const) }),
  fc.record({ kind: fc.constant('challenge' as const), value: fc.constantFrom('Bearer', 'Bearer realm=""', 'Bearer realm="::"', 'Bearer realm="file:///etc/passwd"', 'Basic', 'Negotiate', '', 'Bearer realm="REALM",scope="repository:x:pull"', 'Bearer realm="REALM/x?scope=a&scope=b",service="\u0000"') }),
);

function apply(reply: Reply, m: AnswerMutation, origin: string): Reply & { huge?: boolean; challenge?: string } {
  switch (m.kind) {
    case 'status':
      return { ...reply, status: m.status, headers: m.status >= 300 && m.status < 400 ? { ...reply.headers, Location: `${origin}/v2/team/app/manifests/v1` } : reply.headers };
    case 'header':
      return { ...reply, headers: { ...reply.headers, [m.name]: m.value } };
    case 'json':
      return { ...reply, body: mutateJson(reply.body[0] === 0x7b ? reply.body : json({ data: reply.body.toString('base64') }), m.m) };
    case 'bytes':
      return { ...reply, body: mutateBytes(reply.body, m.m) };
    case 'huge':
      return { ...reply, huge: true };
    case 'challenge':
      return { ...reply, challenge: m.value.replace('REALM', `${origin}/token`) };
  }
}

/** Serves the valid registry with the answer on `route` mutated. */
async function serve(route: Route, m: AnswerMutation): Promise<{ ref: string; digests: ReturnType<typeof validAnswers>['digests']; close: () => void }> {
  let origin = '';
  const { replies, digests } = validAnswers();
  let broken: (Reply & { huge?: boolean; challenge?: string }) | undefined;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const which: Route | undefined = url.startsWith('/token') ? 'token' : url.endsWith('/manifests/v1') ? 'tag'
      : url.includes('/manifests/') ? 'manifest' : url.endsWith(digests.config.slice(7)) ? 'config' : url.includes('/blobs/') ? 'layer' : undefined;
    if (!which) {
      res.writeHead(404).end();
      return;
    }
    const reply = which === route ? (broken ??= apply(replies[which], m, origin)) : replies[which];
    if (which !== 'token' && !req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'WWW-Authenticate': reply.challenge ?? `Bearer realm="${origin}/token",service="reg"` }).end();
      return;
    }
    if (reply.huge) {
      res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(2 ** 40) });
      res.write(reply.body, () => res.destroy());
      return;
    }
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length) });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ref: `127.0.0.1:${(server.address() as AddressInfo).port}/team/app:v1`, digests, close: () => { server.closeAllConnections(); server.close(); } };
}

async function endsWell(name: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const err = e as Error;
    if (!(err instanceof Error) || err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || !err.message.startsWith(name)) {
      throw new Error(`not a goship error naming ${name}: ${err?.stack ?? String(e)}`);
    }
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-fuzz-registry-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

describe('fuzzing the registry client with generated answers', () => {
  test('the valid registry serves: resolve, pull and get return the right digests', async () => {
    const { ref, digests, close } = await serve('token', { kind: 'header', name: 'X-Nothing', value: '' });
    try {
      expect((await resolveDigest(ref, { credentials: creds })).digest).toBe(digests.index);
      expect(await pullImage(ref, path.join(tmp, String(n++)), { credentials: creds })).toBe(digests.index);
      expect((await new RegistryRepo(ref.replace(/:v1$/, ''), { credentials: creds }).getManifest(digests.manifest)).digest).toBe(digests.manifest);
    } finally {
      close();
    }
  });

  test('resolve, pull, getManifest and getBlob return or throw an error naming the reference', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...ROUTES), answerMutation, async (route, m) => {
      const { ref, digests, close } = await serve(route, m);
      const repository = ref.replace(/:v1$/, '');
      try {
        await endsWell(ref, () => resolveDigest(ref, { credentials: creds }));
        await endsWell(ref, () => pullImage(ref, path.join(tmp, String(n++)), { credentials: creds }));
        const repo = new RegistryRepo(repository, { credentials: creds });
        await endsWell(repository, () => repo.getManifest('v1'));
        await endsWell(repository, () => repo.getBlob(digests.config));
      } finally {
        close();
      }
    }), { numRuns: 150 });
  }, 300_000);
});

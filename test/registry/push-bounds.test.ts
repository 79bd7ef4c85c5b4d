import * as http from 'http';
import { AddressInfo } from 'net';
import { RegistryRepo } from '../../lib/registry/push';

/**
 * The push client (goship publish) under the same limits as the rest of the registry client:
 * one deadline per operation, bounded answers. (A real registry never answers like this, so
 * these servers are written here.)
 */

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `127.0.0.1:${(server.address() as AddressInfo).port}/team/app`;
}

/** Writes 1 MB chunks for as long as the client reads. */
function endless(res: http.ServerResponse, head: Record<string, string> = {}): void {
  res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', ...head });
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const pump = () => {
    while (res.write(chunk)) { /* until the socket is full */ }
    res.once('drain', pump);
  };
  pump();
}

describe('RegistryRepo bounds and deadline', () => {
  test('fails if a manifest answer never ends, at the JSON bound, naming the repository', async () => {
    const repository = await serve((_req, res) => endless(res));
    await expect(new RegistryRepo(repository).getManifest('v1')).rejects.toThrow(
      new RegExp(`^${repository.replace(/[.]/g, '\\.')}: the answer of 127\\.0\\.0\\.1:\\d+ is over goship's limit of 8388608 bytes`));
  });

  test('fails at once if a manifest answer declares more bytes than the bound', async () => {
    let written = 0;
    const repository = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(2 ** 40) });
      res.write(Buffer.alloc(1024), () => (written += 1024));
    });
    await expect(new RegistryRepo(repository).getManifest('v1')).rejects.toThrow(/is over goship's limit of 8388608 bytes/);
    expect(written).toBeLessThanOrEqual(1024);
  });

  test('fails if a server stalls before answering, at the operation deadline', async () => {
    const repository = await serve(() => { /* never answers */ });
    // A short deadline so the test ends soon; the default is BOUNDS.registryOperationMs.
    await expect(new RegistryRepo(repository, { deadlineMs: 800 }).hasBlob(`sha256:${'a'.repeat(64)}`)).rejects.toThrow(
      /^127\.0\.0\.1:\d+\/team\/app: 127\.0\.0\.1:\d+ did not finish within goship's deadline of 0\.8 s for one registry operation/);
  });

  test('fails if a blob trickles past the operation deadline', async () => {
    const repository = await serve((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
    });
    await expect(new RegistryRepo(repository, { deadlineMs: 800 }).getBlob(`sha256:${'a'.repeat(64)}`)).rejects.toThrow(/did not finish within goship's deadline of 0\.8 s/);
  });

  test('fails if an upload stalls after the registry accepted its start, within the same operation deadline', async () => {
    const repository = await serve((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(404).end();
      } else if (req.method === 'POST') {
        res.writeHead(202, { Location: '/v2/team/app/blobs/uploads/1' }).end();
      } /* the PUT is never answered */
    });
    await expect(new RegistryRepo(repository, { deadlineMs: 800 }).pushBlob(`sha256:${'a'.repeat(64)}`, () => Buffer.from('blob'))).rejects.toThrow(/did not finish within goship's deadline/);
  });

  test('a redirect to another origin does not carry the Authorization header', async () => {
    const seen: (string | undefined)[] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end('blob');
    });
    const repository = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end();
      } else {
        res.writeHead(307, { Location: `http://${other.replace('/team/app', '')}/blob` }).end();
      }
    });
    const repo = new RegistryRepo(repository, { credentials: () => ({ kind: 'found', credentials: { username: 'ci', password: 'pw' } }) });
    expect((await repo.getBlob(`sha256:${'a'.repeat(64)}`)).toString()).toBe('blob');
    expect(seen).toEqual([undefined]);
  });
});

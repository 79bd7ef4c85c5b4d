import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { pullImage } from '../../lib/registry/pull';

/**
 * Index and manifest answers of the wrong shape, found by registry-answers.property.test.ts.
 * (A real registry never answers like this, so the server is written here.)
 */

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** A registry whose tag `v1` answers `body` as an OCI index. */
async function registryAnswering(body: string): Promise<string> {
  server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }).end(body));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}/team/app:v1`;
}

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pull-'));

describe('pullImage and answers of the wrong shape', () => {
  test('fails if the index is not JSON, naming the reference and not quoting the answer (was a raw SyntaxError)', async () => {
    const ref = await registryAnswering('{"manifests": [secret-ish bytes');
    const error = await pullImage(ref, dir()).catch((e: Error) => e);
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(String(error)).toMatch(new RegExp(`^Error: ${ref.replace(/[.]/g, '\\.')}: the index sha256:[0-9a-f]{64} is not valid JSON$`));
  });

  test('fails if a platform field is nested thousands deep, without a stack overflow (was a RangeError)', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const ref = await registryAnswering(`{"manifests":[{"digest":"sha256:${'a'.repeat(64)}","platform":{"os":${deep}}}]}`);
    await expect(pullImage(ref, dir())).rejects.toThrow(/the index sha256:[0-9a-f]{64}: manifests\[0\]\.platform\.os is not what a descriptor holds/);
  });

  test('fails if manifests is not a list, or names a manifest that is not a sha256 digest', async () => {
    await expect(pullImage(await registryAnswering('{"manifests":{"length":1}}'), dir())).rejects.toThrow(/has a manifests field that is not a list/);
    server!.close();
    await expect(pullImage(await registryAnswering('{"manifests":[{"digest":"sha256:../../x"}]}'), dir())).rejects.toThrow(/names the manifest 'sha256:\.\.\/\.\.\/x', which is not a sha256 digest/);
  });
});

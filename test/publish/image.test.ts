import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage, Platform, RuntimeBase } from '../../lib';
import { publishPlan } from '../../lib/image/publish-plan';
import { assemble, indexOf, OCI, runtimeLayer } from '../../lib/publish/image';
import { buildLayer } from '../../lib/publish/layer';
import { makeGoModule } from '../support/go-module';

function image(props: Partial<ConstructorParameters<typeof GoStaticImage>[2]> = {}): GoStaticImage {
  return new GoStaticImage(Testing.chart(), 'image', {
    context: makeGoModule(),
    repository: '127.0.0.1:5000/acme/api',
    tag: 'v1',
    platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM_V7],
    ...props,
  });
}

describe('the runtime files and config', () => {
  test('scratch gets the CA bundle and passwd/group; a base with everything gets no runtime layer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-ca-'));
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'certs');
    const scratch = publishPlan(image());
    const distroless = publishPlan(image({ runtime: RuntimeBase.distrolessStatic('127.0.0.1:5000/base/static:nonroot') }));
    expect(await runtimeLayer(scratch, 0, { caBundle: path.join(dir, 'ca.crt') })).toBeDefined();
    expect(await runtimeLayer(distroless, 0)).toBeUndefined();
  });

  test('fails if the CA bundle is missing on the machine, naming the image and the fix', async () => {
    await expect(runtimeLayer(publishPlan(image()), 0, { caBundle: '/nonexistent/ca.crt' }))
      .rejects.toThrow('api (test/image): the CA bundle /nonexistent/ca.crt is missing on this machine — install ca-certificates, or use a runtime base that has one');
  });

  test('the config has the Dockerfile\'s user, entrypoint, PATH, port and labels; two platforms make one index', async () => {
    // GIVEN
    const plan = publishPlan(image());
    const layer = await buildLayer([{ path: 'app', type: 'file', mode: 0o755, content: Buffer.from('x') }], 0);
    const empty = { layers: [], diffIds: [], config: {}, history: [] };
    // WHEN
    const amd64 = assemble(plan, 'linux/amd64', empty, [layer], 0);
    const arm = assemble(plan, 'linux/arm/v7', empty, [layer], 0);
    // THEN
    const config = JSON.parse(amd64.blobs[amd64.blobs.length - 1].bytes() as unknown as string);
    expect(config).toMatchObject({
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: {
        User: '65532:65532',
        ExposedPorts: { '8080/tcp': {} },
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Entrypoint: ['/app'],
        Labels: plan.labels,
      },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    });
    expect(arm.descriptor.platform).toEqual({ architecture: 'arm', os: 'linux', variant: 'v7' });
    const index = JSON.parse(indexOf([amd64, arm]).toString());
    expect(index).toEqual({ schemaVersion: 2, mediaType: OCI.index, manifests: [amd64.descriptor, arm.descriptor] });
  });
});

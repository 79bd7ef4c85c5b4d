import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { pinOutput, readBakeTargets } from '../../lib/pin/pin-output';
import { writePins } from '../../lib/pin/pins';
import { GoshipDeployment } from '../../lib/pulumi';
import { webFixture } from './fixture';
import { installMocks, registryImages, settle, unexpectedCalls, valueOf } from './mocks';

const registered = installMocks();
const DIGEST = `sha256:${'c'.repeat(64)}`;

beforeEach(() => {
  registered.length = 0;
  registryImages.clear();
  unexpectedCalls.length = 0;
});

const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

// The default lookup (goship's registry client) runs against a real registry in
// test/e2e/pulumi; here the @pulumi/docker lookup stands in under the mock engine.
describe('GoshipDeployment with prebuilt images', () => {
  test('builds nothing, looks the tag up in the registry, and applies exactly the YAML goship pin writes', async () => {
    // GIVEN an app CI built and pushed, synthesized and pinned as the GitOps path does
    const fixture = webFixture();
    registryImages.set(fixture.image.imageRef, DIGEST);
    fixture.app.synth();
    const pinsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pins-')), 'goship.pins.json');
    pinOutput(fixture.outdir, pinsFile, new Map([[fixture.image.name, { ref: fixture.image.imageRef, digest: DIGEST }]]), readBakeTargets(fixture.outdir));
    // WHEN
    const component = new GoshipDeployment('web', { app: fixture.app, prebuilt: true, prebuiltLookup: 'docker-provider' });
    await settle([component, ...Object.values(component.objects)]);
    // THEN no build resource, no unexpected call
    expect(registered.filter((r) => r.type.startsWith('docker'))).toEqual([]);
    expect(component.images).toEqual({});
    expect(unexpectedCalls).toEqual([]);
    expect(await valueOf(component.imageRefs)).toEqual({ api: `${fixture.image.imageRef}@${DIGEST}` });
    // AND the objects are exactly those of the YAML goship pin wrote
    const yaml = yamlObjects(fixture.outdir);
    expect(JSON.stringify(yaml)).toContain(`${fixture.image.imageRef}@${DIGEST}`);
    const applied = registered.filter((r) => r.type.startsWith('kubernetes:')).map((r) => r.inputs);
    expect(new Map(applied.map((o) => [key(o), o]))).toEqual(new Map(yaml.map((o) => [key(o), o])));
  });

  test('deploys the digest goship publish wrote into the pin file, with no registry lookup', async () => {
    // GIVEN a pin file that pins the image's current ref (nothing in the registry mock)
    const pinsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pins-')), 'goship.pins.json');
    const fixture = webFixture({ pinsFile });
    writePins(pinsFile, new Map([[fixture.image.name, { ref: fixture.image.imageRef, digest: DIGEST }]]));
    // WHEN
    const component = new GoshipDeployment('web', { app: fixture.app, prebuilt: true });
    await settle([component, ...Object.values(component.objects)]);
    // THEN no build, no lookup provider, no call to the registry, the pinned digest in every object
    expect(registered.filter((r) => r.type.startsWith('docker') || r.type.startsWith('pulumi:providers:docker'))).toEqual([]);
    expect(unexpectedCalls).toEqual([]);
    expect(await valueOf(component.imageRefs)).toEqual({ api: `${fixture.image.imageRef}@${DIGEST}` });
    const deployment = registered.find((r) => r.type === 'kubernetes:apps/v1:Deployment')!;
    expect(deployment.inputs.spec.template.spec.containers[0].image).toBe(`${fixture.image.imageRef}@${DIGEST}`);
  });

  test('a pin for an older ref is ignored: the tag is looked up in the registry', async () => {
    const pinsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pins-')), 'goship.pins.json');
    const fixture = webFixture({ pinsFile });
    writePins(pinsFile, new Map([[fixture.image.name, { ref: `${fixture.image.repository}:v0`, digest: `sha256:${'d'.repeat(64)}` }]]));
    registryImages.set(fixture.image.imageRef, DIGEST);
    // The lookup through the mocked provider invoke: no registry runs under the mock engine.
    const component = new GoshipDeployment('web', { app: fixture.app, prebuilt: true, prebuiltLookup: 'docker-provider' });
    await settle([component, ...Object.values(component.objects)]);
    expect(await valueOf(component.imageRefs)).toEqual({ api: `${fixture.image.imageRef}@${DIGEST}` });
  });

  test('fails if prebuilt is not a boolean, or is given a builder', () => {
    const fixture = webFixture();
    expect(() => new GoshipDeployment('web', { app: fixture.app, prebuilt: 'yes' as unknown as boolean }))
      .toThrow("[web] prebuilt: 'yes' — must be true or false — true deploys images CI already pushed; leave it unset to build them");
    expect(() => new GoshipDeployment('web', { app: fixture.app, prebuilt: true, builder: 'goship' }))
      .toThrow("[web] builder: 'goship' — nothing is built when prebuilt is true — drop builder, or prebuilt to build the images");
  });

  test('fails if prebuiltLookup is not a lookup, or is given without prebuilt', () => {
    const fixture = webFixture();
    expect(() => new GoshipDeployment('web', { app: fixture.app, prebuilt: true, prebuiltLookup: 'crane' as never }))
      .toThrow("[web] prebuiltLookup: 'crane' — is not a lookup — use one of 'registry', 'docker-provider'");
    expect(() => new GoshipDeployment('web', { app: fixture.app, prebuiltLookup: 'registry' }))
      .toThrow("[web] prebuiltLookup: 'registry' — only prebuilt images are looked up — set prebuilt: true, or drop prebuiltLookup");
  });

  test('logins go to a docker provider used for the lookups', async () => {
    const fixture = webFixture();
    registryImages.set(fixture.image.imageRef, DIGEST);
    const component = new GoshipDeployment('web', {
      app: fixture.app, prebuilt: true, prebuiltLookup: 'docker-provider', registries: [{ address: 'registry.test', username: 'ci', password: 'pw' }],
    });
    await settle([component, ...Object.values(component.objects)]);
    const providers = registered.filter((r) => r.type === 'pulumi:providers:docker');
    expect(providers.map((p) => p.name)).toEqual(['web-registry-lookup']);
    // the whole list is a secret, as its password is
    expect(JSON.parse(providers[0].inputs.registryAuth.value)).toEqual([{ address: 'registry.test', username: 'ci', password: 'pw' }]);
  });
});

/** Every object in the output folder's YAML. */
function yamlObjects(outdir: string): any[] {
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJSON()));
}

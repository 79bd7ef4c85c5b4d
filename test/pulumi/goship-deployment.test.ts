import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ApiObject, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ShopChart } from '../../examples/shop/shop-chart';
import { GoshipApp } from '../../lib';
import { GoshipDeployment } from '../../lib/pulumi';
import { Fixture, webFixture } from './fixture';
import { engineEvents, installMocks, mockDigest, Registered, settle, slowResources, valueOf } from './mocks';

const registered = installMocks();

beforeEach(() => {
  registered.length = 0;
});

/** Creates the component and waits until every resource it makes is registered. */
async function deploy(fixture: Pick<Fixture, 'app'>, args: Partial<ConstructorParameters<typeof GoshipDeployment>[1]> = {}, opts?: pulumi.ComponentResourceOptions): Promise<GoshipDeployment> {
  const component = new GoshipDeployment('web', { app: fixture.app, ...args }, opts);
  await settle([component, ...Object.values(component.images), ...Object.values(component.objects)]);
  return component;
}

function ofType(type: string): Registered[] {
  return registered.filter((r) => r.type === type);
}

function kubernetes(): Registered[] {
  return registered.filter((r) => r.type.startsWith('kubernetes:'));
}

/** Every object the YAML path wrote, parsed. */
function yamlObjects(outdir: string): any[] {
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJSON()));
}

/** The object with every container image equal to `from` replaced by `to`. */
function withImage(object: any, from: string, to: string): any {
  return JSON.parse(JSON.stringify(object), (key, value) => (key === 'image' && value === from ? to : value));
}

function errorOf(fn: () => unknown): Error | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('GoshipDeployment images', () => {
  test('builds each GoStaticImage from the Dockerfile synth writes, for all its platforms, and pushes it', async () => {
    // GIVEN
    const fixture = webFixture();
    fixture.app.synth();
    // WHEN
    await deploy(fixture);
    // THEN
    const images = ofType('docker-build:index:Image');
    expect(images.map((i) => i.name)).toEqual(['image-api']);
    const inputs = images[0].inputs;
    expect(inputs.dockerfile).toEqual({ inline: fixture.image.renderDockerfile() });
    expect(inputs.dockerfile.inline).toBe(fs.readFileSync(path.join(fixture.outdir, 'images/api/Dockerfile'), 'utf8'));
    expect(path.isAbsolute(inputs.context.location)).toBe(false);
    expect(path.resolve(inputs.context.location)).toBe(fixture.image.contextDir);
    expect(inputs).toMatchObject({
      tags: ['registry.test/acme/api:v1'],
      push: true,
      platforms: ['linux/amd64', 'linux/arm64'],
      buildArgs: fixture.image.buildArgs,
      labels: fixture.image.labels,
    });
    expect(inputs.buildArgs).toMatchObject({ VERSION: 'v1' });
    expect(inputs.registries).toBeUndefined();
    expect(inputs.builder).toBeUndefined();
  });

  test('passes a registry login to the images of that registry only, and a builder by name', async () => {
    // GIVEN an image in registry.test, logins for it and for another registry
    const fixture = webFixture();
    // WHEN
    await deploy(fixture, {
      registries: [
        { address: 'registry.test', username: 'ci', password: 'token-1' },
        { address: 'ghcr.io', username: 'other', password: 'token-2' },
      ],
      builder: 'multiarch',
    });
    // THEN
    const inputs = ofType('docker-build:index:Image')[0].inputs;
    // the engine receives the logins as a secret: never in plain text in state or output
    expect(inputs.registries).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: [{ address: 'registry.test', username: 'ci', password: 'token-1' }],
    });
    expect(inputs.builder).toEqual({ name: 'multiarch' });
  });

  test('exposes each image as repository@digest, the digest the build pushed', async () => {
    const fixture = webFixture();
    const component = await deploy(fixture);
    expect(await valueOf(component.imageRefs)).toEqual({ api: `registry.test/acme/api@${mockDigest('image-api')}` });
  });

  test('fails if a GoStaticImage has no repository to push to, before registering anything', () => {
    // GIVEN an image without repository: its repository is the bare name 'api'
    const fixture = webFixture({ repository: null });
    // WHEN / THEN
    expect(() => new GoshipDeployment('web', { app: fixture.app })).toThrow(
      /^\[web\/image\] repository: 'api' — is a local image name: it has no registry to push to.* — set repository on the GoStaticImage/,
    );
    expect(registered).toEqual([]);
  });
});

describe('GoshipDeployment Kubernetes objects', () => {
  test('registers one resource per object, typed by its kind, named <kind>-<namespace>-<name>', async () => {
    const fixture = webFixture();
    await deploy(fixture);
    expect(kubernetes().map((r) => [r.type, r.name]).sort()).toEqual([
      ['kubernetes:apps/v1:Deployment', 'deployment-shop-api'],
      ['kubernetes:batch/v1:Job', 'job-shop-api-migrate'],
      ['kubernetes:core/v1:Service', 'service-shop-api'],
      ['kubernetes:core/v1:ServiceAccount', 'serviceaccount-shop-api'],
      ['kubernetes:monitoring.coreos.com/v1:ServiceMonitor', 'servicemonitor-shop-api'],
      ['kubernetes:policy/v1:PodDisruptionBudget', 'poddisruptionbudget-shop-api'],
    ]);
    expect(ofType(GoshipDeployment.TYPE).map((r) => r.name)).toEqual(['web']);
  });

  test('parity: the objects applied are the objects synth() writes, the image pinned to the pushed digest', async () => {
    // GIVEN one app for both backends
    const fixture = webFixture();
    fixture.app.synth();
    // WHEN
    await deploy(fixture);
    // THEN every YAML object was applied as it is written, except the image of our containers
    const pinned = `registry.test/acme/api@${mockDigest('image-api')}`;
    const expected = yamlObjects(fixture.outdir).map((o) => withImage(o, fixture.image.imageRef, pinned));
    const applied = kubernetes().map((r) => r.inputs);
    expect(expected.length).toBe(6);
    expect(new Map(applied.map((o) => [key(o), o]))).toEqual(new Map(expected.map((o) => [key(o), o])));
    // and only our image was pinned: the Deployment's container and the Job's init container, not busybox
    const byKind = new Map(applied.map((o) => [o.kind, o]));
    expect(byKind.get('Deployment').spec.template.spec.containers[0].image).toBe(pinned);
    expect(byKind.get('Job').spec.template.spec.initContainers[0].image).toBe(pinned);
    expect(byKind.get('Job').spec.template.spec.containers[0].image).toBe('docker.io/library/busybox:1.36');
  });

  test('every child has the component as parent; a workload waits for its image and for the ServiceAccount its pods use', async () => {
    // GIVEN a transformation on the component: it runs for every child, with the child's options
    const seen = new Map<string, pulumi.ResourceOptions>();
    const fixture = webFixture();
    // WHEN
    const component = await deploy(fixture, {}, {
      transformations: [(a) => {
        seen.set(a.name, a.opts);
        return undefined;
      }],
    });
    // THEN
    const children = [...seen.keys()].filter((n) => n !== 'web');
    expect(children).toHaveLength(7);
    for (const name of children) {
      expect(seen.get(name)!.parent).toBe(component);
    }
    const dependsOn = (name: string) => ((seen.get(name)!.dependsOn ?? []) as pulumi.Resource[]).map((r) => (r as any).__name as string).sort();
    expect(dependsOn('deployment-shop-api')).toEqual(['image-api', 'serviceaccount-shop-api']);
    expect(dependsOn('job-shop-api-migrate')).toEqual(['image-api', 'serviceaccount-shop-api']);
    expect(dependsOn('service-shop-api')).toEqual(['serviceaccount-shop-api']);
    expect(dependsOn('serviceaccount-shop-api')).toEqual([]);
    const urn = await valueOf(component.objects['deployment-shop-api'].urn);
    expect(urn).toContain('::goship:index:GoshipDeployment$kubernetes:apps/v1:Deployment::deployment-shop-api');
  });

  test('a dependency of the component holds back every child', async () => {
    // GIVEN a namespace the engine takes a while to create
    slowResources.set('namespace-shop', 300);
    const ns = new k8s.core.v1.Namespace('namespace-shop', { metadata: { name: 'shop' } });
    // WHEN
    const component = await deploy(webFixture(), {}, { dependsOn: [ns] });
    await valueOf(ns.urn);
    // THEN the engine saw no child before the namespace was created
    const created = engineEvents.indexOf('created:namespace-shop');
    expect(created).toBeGreaterThan(-1);
    const children = [...Object.keys(component.images).map((n) => `image-${n}`), ...Object.keys(component.objects)];
    expect(children).toHaveLength(7);
    for (const child of children) {
      expect(engineEvents.lastIndexOf(`register:${child}`)).toBeGreaterThan(created);
    }
  });

  test('exposes the Services and the namespace as applied', async () => {
    const component = await deploy(webFixture());
    expect(await valueOf(component.services)).toEqual([{ name: 'api', namespace: 'shop' }]);
    expect(await valueOf(component.namespace)).toBe('shop');
  });

  test('a namespace override moves every object, and a provider applies them', async () => {
    // GIVEN
    const provider = new k8s.Provider('cluster', { namespace: 'ignored-by-explicit-namespaces' });
    // WHEN
    const component = await deploy(webFixture(), { namespace: 'prod', provider });
    // THEN
    const objects = kubernetes();
    expect(objects.map((r) => r.name).sort()).toEqual([
      'deployment-prod-api', 'job-prod-api-migrate', 'poddisruptionbudget-prod-api',
      'service-prod-api', 'serviceaccount-prod-api', 'servicemonitor-prod-api',
    ]);
    expect(objects.map((r) => r.inputs.metadata.namespace)).toEqual(Array(6).fill('prod'));
    const providerRef = `${await valueOf(provider.urn)}::${await valueOf(provider.id)}`;
    expect(providerRef).toContain('pulumi:providers:kubernetes::cluster');
    expect(objects.map((r) => r.provider)).toEqual(Array(6).fill(providerRef));
    expect(ofType('docker-build:index:Image')[0].provider).toBeUndefined();
    expect(await valueOf(component.namespace)).toBe('prod');
  });

  test('fails if two charts make the same object', () => {
    // GIVEN two charts with a ConfigMap 'shared' in namespace 'shop'
    const fixture = webFixture();
    for (const id of ['a', 'b']) {
      new ApiObject(new Chart(fixture.app, id, { namespace: 'shop' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' } });
    }
    // WHEN / THEN
    expect(() => new GoshipDeployment('web', { app: fixture.app })).toThrow(
      /^\[b\/ConfigMap\/shared\] metadata\.name: 'shared' — a\/ConfigMap\/shared is the same ConfigMap \(both would be the Pulumi resource 'configmap-shop-shared'\)/,
    );
  });

  test('fails if the construct tree holds a Pulumi Output', () => {
    // GIVEN an Output put into a construct prop through a template string
    const fixture = webFixture();
    const secretName = pulumi.output('db-credentials');
    new ApiObject(new Chart(fixture.app, 'extra'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { secret: `${secretName}` } });
    // WHEN / THEN
    expect(() => new GoshipDeployment('web', { app: fixture.app })).toThrow(
      /^\[extra\/ConfigMap\/x\] data\.secret: '<Output>' — holds a Pulumi Output; the construct tree must be plain values/,
    );
  });

  test('fails if the construct tree holds a Pulumi Output object (cdk8s refuses to render it)', () => {
    const fixture = webFixture();
    new ApiObject(new Chart(fixture.app, 'extra'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { team: pulumi.output('a') as any } } });
    expect(() => new GoshipDeployment('web', { app: fixture.app })).toThrow(/at path 'extra\/cm' .*non-simple object of type 'OutputImpl'/);
  });

  test('refuses exactly what synth refuses (construct validations, policy gate)', () => {
    // GIVEN a validation error, and a Job without any security context
    const withValidation = webFixture();
    withValidation.image.node.addValidation({ validate: () => ['not ready'] });
    const withBareJob = webFixture();
    new ApiObject(new Chart(withBareJob.app, 'extra'), 'job', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bare' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: withBareJob.image.imageRef }] } } },
    });
    for (const { app } of [withValidation, withBareJob]) {
      // WHEN
      const synthError = errorOf(() => app.renderFiles());
      const deployError = errorOf(() => new GoshipDeployment('web', { app }));
      // THEN
      expect(deployError?.message).toBe(synthError?.message);
    }
    expect(errorOf(() => new GoshipDeployment('web', { app: withValidation.app }))?.message).toMatch(/\[web\/image\] not ready/);
    expect(registered).toEqual([]);
  });

  test('fails if a core kind has no Pulumi resource', () => {
    const fixture = webFixture();
    new ApiObject(new Chart(fixture.app, 'extra'), 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'x' } });
    expect(() => new GoshipDeployment('web', { app: fixture.app })).toThrow(/kind: 'v1\/Binding' — is a core kind the Pulumi backend does not apply/);
  });

  test('fails if builder is not a buildx builder name, naming the prop and how to make one', () => {
    for (const builder of ['', ' goship', 'unix:///run/buildkit/buildkitd.sock', '1st']) {
      expect(() => new GoshipDeployment('web', { app: webFixture().app, builder }))
        .toThrow(`[web] builder: ${JSON.stringify(builder).replace(/^"|"$/g, "'")} — must be the name of a buildx builder`);
    }
    expect(registered).toEqual([]);
  });

  test('fails if the namespace override is not a namespace name', () => {
    expect(() => new GoshipDeployment('web', { app: webFixture().app, namespace: 'Prod_1' })).toThrow(/^\[web\] namespace: 'Prod_1'/);
  });
});

describe('GoshipDeployment parity for examples/shop', () => {
  test('the same objects as its YAML — ServiceAccount, HPA, Ingress, GRPCRoute, NetworkPolicy, CronJob — each image pinned', async () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'goship-shop-'));
    const app = new GoshipApp({ outdir });
    const chart = new ShopChart(app, 'shop', { registry: 'registry.test/shop' });
    app.synth();
    // WHEN
    const seen = new Map<string, pulumi.ResourceOptions>();
    await deploy({ app }, {}, { transformations: [(a) => { seen.set(a.name, a.opts); return undefined; }] });
    // THEN every YAML object is applied as written, with the images pinned
    let expected = yamlObjects(outdir);
    for (const [name, image] of Object.entries(chart.images)) {
      expected = expected.map((o) => withImage(o, image.imageRef, `registry.test/shop/${name}@${mockDigest(`image-shop-${name}`)}`));
    }
    expect(new Map(kubernetes().map((r) => [key(r.inputs), r.inputs]))).toEqual(new Map(expected.map((o) => [key(o), o])));
    expect(kubernetes().map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:Deployment', 'kubernetes:apps/v1:Deployment', 'kubernetes:apps/v1:Deployment',
      'kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'kubernetes:batch/v1:CronJob', 'kubernetes:core/v1:Service', 'kubernetes:core/v1:Service',
      'kubernetes:core/v1:ServiceAccount', 'kubernetes:gateway.networking.k8s.io/v1:GRPCRoute',
      'kubernetes:networking.k8s.io/v1:Ingress', 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
      'kubernetes:policy/v1:PodDisruptionBudget', 'kubernetes:policy/v1:PodDisruptionBudget', 'kubernetes:policy/v1:PodDisruptionBudget',
    ]);
    // AND the autoscaled Deployment has no replicas, and Pulumi leaves the field to the autoscaler
    const api = kubernetes().find((r) => r.name === 'deployment-shop-shop-api')!;
    expect('replicas' in api.inputs.spec).toBe(false);
    expect(seen.get('deployment-shop-shop-api')!.ignoreChanges).toEqual(['spec.replicas']);
    expect(seen.get('deployment-shop-shop-worker')!.ignoreChanges).toBeUndefined();
    // AND the pods wait for their ServiceAccount
    expect(((seen.get('deployment-shop-shop-api')!.dependsOn ?? []) as pulumi.Resource[]).map((r) => (r as any).__name)).toContain('serviceaccount-shop-shop-api');
  });
});

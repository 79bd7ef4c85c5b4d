import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { crossCheck } from '../../lib/app/cross-checks';
import { CronJob, Job, RollingDeployment, RollingDeploymentProps } from '../../lib/deploy';
import { GoStaticImage, GoStaticImageProps } from '../../lib/image/go-static-image';
import { RuntimeBase } from '../../lib/image/runtime-base';
import { Platform } from '../../lib/model/platform';
import { container, HELLO_IMAGE, podSpec } from '../deploy/fixtures';
import { validateManifests } from '../schema/validate';

const HELLO_DIR = path.join(__dirname, '..', '..', 'examples', 'hello');

/** A chart with the hello GoStaticImage and a RollingDeployment of it. */
function helloApp(deployment: Partial<RollingDeploymentProps> = {}, image: Partial<GoStaticImageProps> = {}) {
  const chart = Testing.chart();
  const img = new GoStaticImage(chart, 'image', {
    context: HELLO_DIR,
    repository: 'registry.example.com/team/hello',
    tag: 'v1.0.0',
    platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
    ...image,
  });
  const rd = new RollingDeployment(chart, 'hello', { image: img, ...deployment });
  return { chart, image: img, rd };
}

describe('RollingDeployment of a GoStaticImage', () => {
  test('reads reference, port, user, platforms and version from the image', () => {
    // GIVEN / WHEN
    const { chart, rd } = helloApp({}, { port: 9000, user: '10001:10002' });
    const objects = Testing.synth(chart);
    // THEN
    const c = container(objects);
    expect(c.image).toBe('registry.example.com/team/hello:v1.0.0');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
    expect(podSpec(objects).securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10002 });
    expect(rd.nodeArchitectures).toEqual(['amd64', 'arm64']);
    expect(rd.labels['app.kubernetes.io/version']).toBe('v1.0.0');
    expect(validateManifests(objects)).toEqual([]);
  });
});

describe('crossCheck', () => {
  test('finds nothing when the deployment reads everything from its image', () => {
    // GIVEN
    const { chart } = helloApp({ env: { PORT: '8080', TZ: 'Europe/Berlin' } });
    // WHEN / THEN
    expect(crossCheck(chart)).toEqual([]);
  });

  test('reports a PORT variable that is not the container port', () => {
    // GIVEN
    const { chart } = helloApp({ env: { PORT: '9090' } });
    // WHEN / THEN
    expect(crossCheck(chart).map((e) => [e.path, e.prop, e.value])).toEqual([['test/hello', 'env.PORT', '9090']]);
  });

  test('reports node architectures the image is not built for', () => {
    // GIVEN
    const { chart } = helloApp({ nodeArchitectures: ['amd64', 's390x'] }, { platforms: [Platform.LINUX_AMD64] });
    // WHEN
    const errors = crossCheck(chart);
    // THEN
    expect(errors.map((e) => [e.prop, e.value])).toEqual([['nodeArchitectures', ['amd64', 's390x']]]);
    expect(errors[0].fix).toBe("add linux/s390x to the image's platforms, or remove s390x from nodeArchitectures");
  });

  test('accepts a subset of the built architectures', () => {
    // GIVEN
    const { chart } = helloApp({ nodeArchitectures: ['arm64'] });
    // WHEN / THEN
    expect(crossCheck(chart)).toEqual([]);
  });

  test('reports a TZ the image has no time zone data for', () => {
    // GIVEN
    const { chart } = helloApp({ env: { TZ: 'Europe/Berlin' } }, { runtime: RuntimeBase.scratch(), timeZoneData: 'none' });
    // WHEN / THEN
    expect(crossCheck(chart).map((e) => [e.prop, e.value])).toEqual([['env.TZ', 'Europe/Berlin']]);
  });

  test('takes a plain image at its word', () => {
    // GIVEN
    const chart = Testing.chart();
    new RollingDeployment(chart, 'hello', { image: HELLO_IMAGE, env: { PORT: '9090' }, nodeArchitectures: ['s390x'] });
    // WHEN / THEN
    expect(crossCheck(chart)).toEqual([]);
  });

  test('reports two workloads with the same name and namespace, across charts', () => {
    // GIVEN
    const app = Testing.app();
    new RollingDeployment(new Chart(app, 'a'), 'hello', { image: HELLO_IMAGE });
    new RollingDeployment(new Chart(app, 'b'), 'hello', { image: HELLO_IMAGE });
    new RollingDeployment(new Chart(app, 'c', { namespace: 'other' }), 'hello', { image: HELLO_IMAGE });
    // WHEN
    const errors = crossCheck(app);
    // THEN
    expect(errors.map((e) => [e.path, e.prop, e.value])).toEqual([['b/hello', 'name', 'hello']]);
  });
});

describe('crossCheck of Jobs and CronJobs', () => {
  test('reports node architectures and a TZ the image cannot serve, and a duplicate Job; not a Job beside a Deployment of its name', () => {
    // GIVEN a scratch image for amd64 only, without time zone data
    const { chart, image } = helloApp({}, { platforms: [Platform.LINUX_AMD64], runtime: RuntimeBase.scratch(), timeZoneData: 'none' });
    new Job(chart, 'migrate', { image, nodeArchitectures: ['arm64'] });
    new CronJob(chart, 'report', { image, schedule: '@daily', env: { TZ: 'Europe/Berlin' } });
    new Job(chart, 'again', { image, name: 'migrate' });
    new Job(chart, 'hello-job', { image, name: 'hello' });
    // WHEN
    const errors = crossCheck(chart);
    // THEN
    expect(errors.map((e) => [e.path, e.prop])).toEqual([
      ['test/migrate', 'nodeArchitectures'],
      ['test/report', 'env.TZ'],
      ['test/again', 'name'],
    ]);
    expect(errors[2].why).toBe("test/migrate already writes a Job called 'migrate'; one would overwrite the other");
  });

  test('a Job reads its user and platforms from the image', () => {
    // GIVEN / WHEN
    const { chart, image } = helloApp({}, { user: '10001:10002' });
    const job = new Job(chart, 'migrate', { image });
    // THEN
    expect([job.uid, job.gid, job.nodeArchitectures]).toEqual([10001, 10002, ['amd64', 'arm64']]);
    expect(crossCheck(chart)).toEqual([]);
  });
});

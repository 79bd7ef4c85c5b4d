import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { CronJob, GoshipApp, GoStaticImage, Job, Platform, ServiceAccount } from '../../lib';
import { GoshipDeployment } from '../../lib/pulumi';
import { makeGoModule } from '../support/go-module';
import { installMocks, mockDigest, settle } from './mocks';

const registered = installMocks();

describe('GoshipDeployment of Jobs and CronJobs', () => {
  test('parity: the Job, the CronJob and their ServiceAccount are applied as synth() writes them, the image pinned', async () => {
    // GIVEN one app for both backends
    const outdir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'goship-jobs-'));
    const app = new GoshipApp({ outdir });
    const chart = new Chart(app, 'batch', { namespace: 'shop' });
    const image = new GoStaticImage(chart, 'image', { context: makeGoModule(), repository: 'registry.test/acme/tasks', tag: 'v1', platforms: [Platform.LINUX_AMD64] });
    new Job(chart, 'migrate', { image, args: ['migrate'], serviceAccount: ServiceAccount.create(), activeDeadlineSeconds: 600 });
    new CronJob(chart, 'report', { image, args: ['report'], schedule: '0 3 * * *', timeZone: 'Etc/UTC' });
    app.synth();
    // WHEN
    const component = new GoshipDeployment('batch', { app });
    await settle([component, ...Object.values(component.images), ...Object.values(component.objects)]);
    // THEN
    const pinned = `registry.test/acme/tasks@${mockDigest('image-tasks')}`;
    const expected = parseAllDocuments(fs.readFileSync(path.join(outdir, 'batch.k8s.yaml'), 'utf8'))
      .map((d) => JSON.parse(JSON.stringify(d.toJSON()), (k, v) => (k === 'image' && v === image.imageRef ? pinned : v)));
    const applied = registered.filter((r) => r.type.startsWith('kubernetes:'));
    expect(applied.map((r) => [r.type, r.name])).toEqual([
      ['kubernetes:core/v1:ServiceAccount', 'serviceaccount-shop-migrate'],
      ['kubernetes:batch/v1:Job', 'job-shop-migrate'],
      ['kubernetes:batch/v1:CronJob', 'cronjob-shop-report'],
    ]);
    expect(applied.map((r) => r.inputs)).toEqual(expected);
    expect(applied[2].inputs.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(pinned);
  });
});

import { JsonPatch, Testing } from 'cdk8s';
import {
  ConcurrencyPolicy, CronJob, CronJobProps, EnvFrom, FileSource, Job, JobProps, LifecycleAction, ResourceLimits, RestartPolicy, ServiceAccount,
} from '../../lib/deploy';
import { ValidationError } from '../../lib/model/errors';
import { checkManifests } from '../../lib/policy';
import { validateManifests } from '../schema/validate';
import { HELLO_IMAGE, Obj } from './fixtures';

function synthJob(props: Partial<JobProps> = {}): { job: Job; objects: Obj[] } {
  const chart = Testing.chart();
  const job = new Job(chart, 'migrate', { image: HELLO_IMAGE, args: ['migrate', 'up'], ...props });
  return { job, objects: Testing.synth(chart) };
}

function synthCron(props: Partial<CronJobProps> = {}): { cron: CronJob; objects: Obj[] } {
  const chart = Testing.chart();
  const cron = new CronJob(chart, 'report', { image: HELLO_IMAGE, schedule: '0 3 * * *', ...props });
  return { cron, objects: Testing.synth(chart) };
}

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const jobRejection = (props: Record<string, unknown>) => rejection(() => new Job(Testing.chart(), 'migrate', { image: HELLO_IMAGE, ...props } as JobProps));
const cronRejection = (props: Record<string, unknown>) => rejection(() => new CronJob(Testing.chart(), 'report', { image: HELLO_IMAGE, schedule: '@daily', ...props } as CronJobProps));

describe('Job', () => {
  test('defaults: the RollingDeployment pod, run to completion', () => {
    // GIVEN / WHEN
    const { job, objects } = synthJob();
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual(['Job']);
    const spec = objects[0].spec;
    expect(spec).toMatchObject({ backoffLimit: 3, completions: 1, parallelism: 1 });
    expect(spec.selector).toBeUndefined();
    const pod = spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    for (const absent of ['ports', 'readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle']) {
      expect(c[absent]).toBeUndefined();
    }
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(c.env).toEqual([{ name: 'GOMEMLIMIT', value: '115MiB' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['amd64', 'arm64']);
    expect([job.name, job.uid, job.gid]).toEqual(['migrate', 65532, 65532]);
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('env, secrets, files, resources, pod fields and a ServiceAccount, as a RollingDeployment has them', () => {
    // GIVEN / WHEN
    const { objects } = synthJob({
      env: { LOG_LEVEL: 'debug' },
      secretEnv: { DATABASE_URL: { secret: 'shop-db', key: 'url' } },
      envFrom: [EnvFrom.configMap('flags')],
      files: { '/etc/shop/tls': FileSource.secret('shop-tls') },
      resources: { memoryRequest: '64Mi', limits: ResourceLimits.of({ memory: '256Mi', cpu: '2' }) },
      serviceAccount: ServiceAccount.create(),
      tolerations: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
      nodeSelector: { 'node.kubernetes.io/pool': 'batch' },
      podAnnotations: { 'example.com/owner': 'shop' },
      lifecycle: { postStart: LifecycleAction.httpGet('/started', 9090) },
      ports: { metrics: 9090 },
      restartPolicy: RestartPolicy.ON_FAILURE,
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      completions: 4,
      parallelism: 2,
    });
    // THEN
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Job']);
    const spec = objects[1].spec;
    expect(spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600, completions: 4, parallelism: 2 });
    const pod = spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'OnFailure', serviceAccountName: 'migrate', nodeSelector: { 'node.kubernetes.io/pool': 'batch' } });
    expect(pod.securityContext.fsGroup).toBe(65532);
    expect(spec.template.metadata.annotations).toEqual({ 'example.com/owner': 'shop' });
    const c = pod.containers[0];
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(c.lifecycle).toEqual({ postStart: { httpGet: { path: '/started', port: 9090 } } });
    expect(c.env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'url' } } },
      { name: 'GOMAXPROCS', value: '2' },
      { name: 'GOMEMLIMIT', value: '230MiB' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test.each([
    ['backoffLimit is negative', { backoffLimit: -1 }, 'backoffLimit'],
    ['completions is 0', { completions: 0 }, 'completions'],
    ['parallelism is more than completions', { completions: 2, parallelism: 3 }, 'parallelism'],
    ['activeDeadlineSeconds is 0', { activeDeadlineSeconds: 0 }, 'activeDeadlineSeconds'],
    ['ttlSecondsAfterFinished is fractional', { ttlSecondsAfterFinished: 1.5 }, 'ttlSecondsAfterFinished'],
    ['restartPolicy is a string', { restartPolicy: 'Always' }, 'restartPolicy'],
    ['a port name is not an IANA name', { ports: { Metrics: 9090 } }, 'ports.Metrics'],
    ['two ports share a number', { ports: { metrics: 9090, admin: 9090 } }, 'ports.metrics'],
    ['a secret value is inline', { env: { DB_PASSWORD: 'hunter2' } }, 'env.DB_PASSWORD'],
    ['the image runs as root', { image: { ...HELLO_IMAGE, uid: 0 } }, 'image.uid'],
    ['a node architecture is not a Go one', { nodeArchitectures: ['x86_64'] }, 'nodeArchitectures'],
    ['it is given a health check, which a Job does not have', { health: {} }, 'health'],
  ])('fails if %s', (_, props, prop) => {
    expect(jobRejection(props).prop).toBe(prop);
  });

  test('fails if a prop is misspelt, with a near miss and the escape hatch', () => {
    // GIVEN / WHEN
    const e = jobRejection({ backofLimit: 2 });
    // THEN
    expect(e.message).toBe("[test/migrate] backofLimit: 2 — is not a prop of Job — did you mean 'backoffLimit'?; for a Kubernetes field goship has no prop for, patch the rendered object: job.job.addJsonPatch(JsonPatch.add('/spec/template/spec/<field>', value)) (JsonPatch from cdk8s)");
  });

  test('fails if a removed RollingDeployment prop is passed, naming the replacement', () => {
    expect(jobRejection({ runAsUser: 1000 }).fix).toContain("the image's user");
  });
});

describe('CronJob', () => {
  test('defaults: Forbid, history 3 and 1, not suspended, a goship Job inside', () => {
    // GIVEN / WHEN
    const { cron, objects } = synthCron({ timeZone: 'Europe/Berlin', startingDeadlineSeconds: 300 });
    // THEN
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual(['CronJob']);
    const spec = objects[0].spec;
    expect(spec).toMatchObject({
      schedule: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, suspend: false,
    });
    expect(spec.jobTemplate.spec).toMatchObject({ backoffLimit: 3, completions: 1, parallelism: 1 });
    expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(spec.jobTemplate.spec.template.spec.containers[0].readinessProbe).toBeUndefined();
    expect(cron.name).toBe('report');
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test.each([
    ['@hourly'], ['*/15 * * * *'], ['0 9-17 * * mon-fri'], ['30 2 1,15 JAN,jul *'], ['0 0 * * 7'], ['5 4 * * sun'], ['0 0 ? * *'],
  ])('accepts the schedule %s', (schedule) => {
    expect(synthCron({ schedule }).objects[0].spec.schedule).toBe(schedule);
  });

  test.each([
    ['', 'must be a cron schedule'],
    ['0 3 * *', 'has 4 fields'],
    ['0 0 3 * * *', 'has 6 fields'],
    ['60 * * * *', "minute '60' is not a number from 0 to 59"],
    ['0 24 * * *', "hour '24' is not a number from 0 to 23"],
    ['0 0 0 * *', "day of month '0'"],
    ['0 0 * 13 *', "month '13'"],
    ['0 0 * * funday', "day of week 'funday'"],
    ['*/0 * * * *', 'has a step that is not a whole number of 1 or more'],
    ['0 17-9 * * *', 'a range that ends before it starts'],
    ['@fortnightly', 'is not a macro'],
    ['CRON_TZ=Europe/Berlin 0 3 * * *', 'move it to timeZone'],
  ])('fails if the schedule is %j', (schedule, message) => {
    const e = cronRejection({ schedule });
    expect(e.prop).toBe('schedule');
    expect(e.message).toContain(message);
  });

  test.each([
    ['timeZone is not an IANA name', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['timeZone is an offset', { timeZone: '+02:00' }, 'timeZone'],
    ['concurrencyPolicy is a string', { concurrencyPolicy: 'Forbid' }, 'concurrencyPolicy'],
    ['startingDeadlineSeconds is under 10', { startingDeadlineSeconds: 5 }, 'startingDeadlineSeconds'],
    ['a history limit is negative', { failedJobsHistoryLimit: -1 }, 'failedJobsHistoryLimit'],
    ['suspend is not a boolean', { suspend: 'yes' }, 'suspend'],
    ['the name is over 52 characters', { name: `r${'e'.repeat(52)}` }, 'name'],
    ['a Job prop is invalid', { parallelism: 0 }, 'parallelism'],
    ['the schedule is missing', { schedule: undefined }, 'schedule'],
  ])('fails if %s', (_, props, prop) => {
    expect(cronRejection(props).prop).toBe(prop);
  });

  test('the policy gate reads the pods of both: a privileged container patched in is reported', () => {
    // GIVEN a Job and a CronJob, each patched through its escape hatch
    const chart = Testing.chart();
    const job = new Job(chart, 'migrate', { image: HELLO_IMAGE });
    const cron = new CronJob(chart, 'report', { image: HELLO_IMAGE, schedule: '@daily' });
    job.job.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true));
    cron.cronJob.addJsonPatch(JsonPatch.add('/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged', true));
    // WHEN
    const findings = checkManifests(Testing.synth(chart));
    // THEN
    const privileged = findings.filter((f) => f.message.includes('privileged')).map((f) => f.object);
    expect(privileged).toEqual(expect.arrayContaining(['Job/migrate', 'CronJob/report']));
  });

  test('replace, allow, suspended, other history limits', () => {
    // GIVEN / WHEN
    const replace = synthCron({ concurrencyPolicy: ConcurrencyPolicy.REPLACE, suspend: true, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 5 }).objects[0].spec;
    const allow = synthCron({ concurrencyPolicy: ConcurrencyPolicy.ALLOW }).objects[0].spec;
    // THEN
    expect(replace).toMatchObject({ concurrencyPolicy: 'Replace', suspend: true, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 5 });
    expect(allow.concurrencyPolicy).toBe('Allow');
  });
});

import { Testing } from 'cdk8s';
import { GoshipApp } from '../../lib/app/goship-app';
import { RollingDeployment } from '../../lib/deploy/rolling-deployment';
import { BuildSecret } from '../../lib/image/build-secret';
import { GoStaticImage } from '../../lib/image/go-static-image';
import { RuntimeBase } from '../../lib/image/runtime-base';
import { ValidationError } from '../../lib/model/errors';
import { editDistance, nearest, rejectRemovedProps, rejectUnknownProps } from '../../lib/model/known-props';
import { makeGoModule } from '../support/go-module';

describe('rejectUnknownProps', () => {
  test('accepts known props', () => {
    expect(() => rejectUnknownProps({ healthPath: '/readyz' }, { healthPath: true, port: true }, 'Thing')).not.toThrow();
  });

  test('fails if a prop is unknown, and suggests the same name in another case', () => {
    expect(() => rejectUnknownProps({ healthpath: '/readyz' }, { healthPath: true }, 'Thing'))
      .toThrow("healthpath: '/readyz' — is not a prop of Thing — did you mean 'healthPath'?");
  });

  test('fails if a prop is unknown, and suggests a near miss', () => {
    expect(() => rejectUnknownProps({ replics: 3 }, { replicas: true, image: true }, 'Thing'))
      .toThrow("replics: 3 — is not a prop of Thing — did you mean 'replicas'?");
  });

  test('fails if a prop is unknown with no near miss, and lists the props', () => {
    expect(() => rejectUnknownProps({ colour: 'red' }, { replicas: true, image: true }, 'Thing'))
      .toThrow('colour: \'red\' — is not a prop of Thing — remove it; the props of Thing are replicas, image');
  });

  test('names the parent prop of a nested object', () => {
    expect(() => rejectUnknownProps({ memoryLimt: '1Gi' }, { memoryLimit: true }, 'resources', 'resources'))
      .toThrow("resources.memoryLimt: '1Gi'");
  });

  test('edit distance counts an adjacent swap as one edit', () => {
    expect(editDistance('replicsa', 'replicas')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(nearest('ab', ['xyz'])).toBeUndefined();
  });
});

describe('rejectRemovedProps', () => {
  test('fails if a removed prop is passed, in any case, and names the replacement', () => {
    const removed = { healthPath: "health: HealthCheck.http({ path })" };
    expect(() => rejectRemovedProps({ healthpath: '/readyz' }, removed, 'Thing'))
      .toThrow("healthpath: '/readyz' — is not a prop of Thing since goship 0.2 — use health: HealthCheck.http({ path })");
    expect(() => rejectRemovedProps({ health: 1 }, removed, 'Thing')).not.toThrow();
  });
});

describe('constructs reject unknown props at run time', () => {
  test('fails if RollingDeployment gets replics', () => {
    const chart = Testing.chart();
    const image = { imageRef: 'registry.example.com/hello:1a2b3c4', port: 8080, uid: 65532 };
    const props: any = { image, replics: 3 };
    expect(() => new RollingDeployment(chart, 'hello', props)).toThrow(ValidationError);
    expect(() => new RollingDeployment(Testing.chart(), 'hello', props)).toThrow(/\[.*hello\] replics: 3 — is not a prop of RollingDeployment — did you mean 'replicas'\?/);
  });

  test('fails if RollingDeployment gets the removed healthPath, naming health', () => {
    const image = { imageRef: 'registry.example.com/hello:1a2b3c4', port: 8080, uid: 65532 };
    const props: any = { image, healthPath: '/readyz' };
    expect(() => new RollingDeployment(Testing.chart(), 'hello', props)).toThrow(/\[.*hello\] healthPath: '\/readyz' — is not a prop of RollingDeployment since goship 0.2 — use health: HealthCheck\.http/);
  });

  test('fails if a nested option of RollingDeployment is misspelt, with a near miss', () => {
    const image = { imageRef: 'registry.example.com/hello:1a2b3c4', port: 8080, uid: 65532 };
    const props: any = { image, autoscaling: { maxReplicas: 4, minReplica: 2 } };
    expect(() => new RollingDeployment(Testing.chart(), 'hello', props)).toThrow(/autoscaling\.minReplica: 2 — is not a prop of AutoscalingOptions — did you mean 'minReplicas'\?/);
  });

  test('fails if GoStaticImage gets an unknown prop', () => {
    const props: any = { context: makeGoModule(), platform: ['linux/arm64'] };
    expect(() => new GoStaticImage(Testing.chart(), 'image', props)).toThrow(/image\] platform: \["linux\/arm64"\] — is not a prop of GoStaticImage — did you mean 'platforms'\?/);
  });

  test('fails if GoshipApp gets an unknown prop', () => {
    const props: any = { outDir: 'x' };
    expect(() => new GoshipApp(props)).toThrow("[GoshipApp] outDir: 'x' — is not a prop of GoshipApp — did you mean 'outdir'?");
  });

  test('fails if a nested prop object of GoStaticImage has an unknown prop: RuntimeBase.custom options', () => {
    expect(() => RuntimeBase.custom('registry.example.com/base:1', { caCertificate: true } as any))
      .toThrow("runtime.caCertificate: true — is not a prop of RuntimeBaseOptions — did you mean 'caCertificates'?");
    expect(() => RuntimeBase.custom('registry.example.com/base:1', { zoneinfo: 'yes' } as any))
      .toThrow("runtime.zoneinfo: 'yes' — must be true or false");
  });

  test('fails if a nested prop object of GoStaticImage has an unknown prop: BuildSecret options', () => {
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: makeGoModule(), secrets: [BuildSecret.netrc({ src: 'netrc', evn: 'X' } as any)] }))
      .toThrow("secrets.evn: '(hidden)' — is not a prop of BuildSecret — did you mean 'env'?");
  });
});

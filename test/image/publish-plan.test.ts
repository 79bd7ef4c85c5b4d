import { Testing } from 'cdk8s';
import { GoStaticImage, LinkValue, Platform } from '../../lib';
import { publishPlan } from '../../lib/image/publish-plan';
import { sourceDateEpoch } from '../../lib/publish/image';
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

describe('publishPlan', () => {
  test('carries the Dockerfile path\'s flags with the build args written in', () => {
    // GIVEN
    const img = image({
      versionVariable: 'main.version',
      linkValues: { 'main.commit': LinkValue.revision(), 'main.date': LinkValue.commitDate(), 'main.edition': 'community edition' },
      buildTags: ['netgo'],
      goFlags: ['-mod=mod'],
    });
    // WHEN
    const plan = publishPlan(img);
    // THEN
    expect(plan).toMatchObject({
      name: 'api',
      ref: '127.0.0.1:5000/acme/api:v1',
      moduleDir: img.contextDir,
      main: '.',
      tags: ['netgo', 'timetzdata'],
      ldflags: `-s -w -X main.version=v1 -X main.commit=${img.revision} -X main.date=2026-01-02T03:04:05Z -X 'main.edition=community edition'`,
      vendor: false,
      goEnv: { GOFLAGS: '-mod=mod' },
      platforms: ['linux/amd64', 'linux/arm/v7'],
      runtime: { kind: 'scratch', providesCaCertificates: false, needsUserEntries: true },
      copyZoneinfo: false,
      uid: 65532,
      gid: 65532,
      port: 8080,
      labels: img.labels,
      commitDate: '2026-01-02T03:04:05Z',
    });
    expect(sourceDateEpoch(plan)).toBe(Date.parse('2026-01-02T03:04:05Z') / 1000);
  });

  test('without a commit, SOURCE_DATE_EPOCH comes from the environment, else 0', () => {
    const plan = publishPlan(new GoStaticImage(Testing.chart(), 'image', { context: makeGoModule({ git: false }), tag: 'v1' }));
    expect(sourceDateEpoch(plan, { SOURCE_DATE_EPOCH: '1700000000' })).toBe(1700000000);
    expect(sourceDateEpoch(plan, {})).toBe(0);
  });
});

import * as fs from 'fs';
import { Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GoshipApp, GoStaticImage, Platform, RuntimeBase } from '../../lib';
import { RollingDeployment } from '../../lib/deploy';
import { checkDockerfile, checkManifests } from '../../lib/policy';
import { renderDockerfile } from '../../lib/render/dockerfile';
import { HELLO_DOCKERFILE_SPEC } from '../support/dockerfile-spec';
import { makeGoModule } from '../support/go-module';

const spec = { ...HELLO_DOCKERFILE_SPEC, moduleFiles: ['go.mod'], revision: undefined, source: undefined };

const rulesOf = (text: string) => checkDockerfile(text).map((f) => `${f.severity} ${f.rule}`);

describe("goship's own output passes its policy gate", () => {
  const runtimes: [string, RuntimeBase][] = [
    ['scratch', RuntimeBase.scratch()],
    ['distroless static', RuntimeBase.distrolessStatic()],
    ['alpine', RuntimeBase.alpine()],
  ];
  const platformSets: [string, Platform[]][] = [
    ['amd64', [Platform.LINUX_AMD64]],
    ['amd64, arm64, arm/v7 and amd64/v3', [Platform.LINUX_AMD64, Platform.LINUX_ARM64, Platform.LINUX_ARM_V7, Platform.custom('linux/amd64/v3')]],
  ];

  test.each(runtimes.flatMap(([r, runtime]) => platformSets.map(([p, platforms]) => [r, p, runtime, platforms] as const)))(
    'renderDockerfile on %s for %s: only the unpinned-builder warning', (_r, _p, runtime, platforms) => {
      expect(rulesOf(renderDockerfile({ ...spec, runtime, platforms, timeZoneData: runtime.providesZoneinfo ? 'none' : 'embedded' })))
        .toEqual(['warning dockerfile/pinned-builder-image']);
    });

  test('the checks see the rendered go build: without its CGO_ENABLED=0 or GOARCH they fail', () => {
    const text = renderDockerfile({ ...spec, platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM_V7] });
    expect(rulesOf(text.replace('ENV CGO_ENABLED=0 ', 'ENV '))).toContain('error dockerfile/cgo-disabled');
    expect(rulesOf(text.replace('GOARCH=$TARGETARCH ', ''))).toContain('error dockerfile/cross-compile-target');
  });

  test('renderDockerfile with a digest-pinned builder: no finding at all', () => {
    expect(rulesOf(renderDockerfile({ ...spec, builderImage: `golang:1.22@sha256:${'c'.repeat(64)}` }))).toEqual([]);
  });

  test('a GoshipApp with a GoStaticImage and a RollingDeployment: no error in any file it writes', () => {
    // GIVEN the hello service, as an app declares it
    const root = makeGoModule();
    const app = new GoshipApp({ outdir: `${root}/dist`, rootdir: root });
    const chart = new Chart(app, 'hello');
    const image = new GoStaticImage(chart, 'image', {
      context: root,
      repository: 'ghcr.io/acme/hello',
      platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
    });
    new RollingDeployment(chart, 'hello', { image });
    // WHEN every file is rendered and checked
    const files = app.renderFiles();
    const findings = [...files].flatMap(([file, text]) => {
      if (file.endsWith('.k8s.yaml')) {
        const objects = parseAllDocuments(text).map((d) => d.toJS());
        // Pod Security restricted holds at every Kubernetes version goship knows.
        for (let minor = 25; minor <= 37; minor++) {
          expect(checkManifests(objects, { file, level: 'restricted', kubernetesVersion: `1.${minor}` }).filter((f) => f.rule.startsWith('pss-'))).toEqual([]);
        }
        return checkManifests(objects, { file });
      }
      return file.endsWith('/Dockerfile') ? checkDockerfile(text, file) : [];
    });
    fs.rmSync(root, { recursive: true, force: true });
    // THEN
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings.map((f) => `${f.file} ${f.rule}`)).toEqual(['images/hello/Dockerfile dockerfile/pinned-builder-image']);
  });
});

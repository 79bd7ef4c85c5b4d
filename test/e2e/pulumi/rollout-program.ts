/**
 * A Pulumi program that builds a copy of the hello service from a folder the test owns (so the
 * test can change its Go code) and rolls it out: stack config `context` (the Go module),
 * `registry`, `namespace` (created here), `builder` and `builderImage`. The tag stays `v1`:
 * a change to the code is a new build, a new digest, and so a rolling update.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment } from '../../../lib';
import { GoshipDeployment } from '../../../lib/pulumi';

const config = new pulumi.Config();
const namespace = config.require('namespace');
const context = config.require('context');
const app = new GoshipApp({ rootdir: context });
const chart = new Chart(app, 'rollout', { namespace });
const image = new GoStaticImage(chart, 'image', {
  context,
  name: 'hello',
  repository: `${config.require('registry')}/hello`,
  tag: 'v1',
  platforms: [Platform.LINUX_AMD64],
  builderImage: config.require('builderImage'),
});
new RollingDeployment(chart, 'hello', { image, replicas: 2, env: { GREETING: 'hello from goship' } });
const ns = new k8s.core.v1.Namespace('namespace', { metadata: { name: namespace } });
const deployment = new GoshipDeployment('rollout', { app, builder: config.require('builder') }, { dependsOn: [ns] });

/** The deployed image, pinned. */
export const images = deployment.imageRefs;

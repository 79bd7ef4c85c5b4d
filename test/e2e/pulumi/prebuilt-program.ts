/**
 * A Pulumi program that deploys examples/hello from an image CI already pushed
 * (`prebuilt: true`): stack config `repository` (where the image is), `namespace` (created
 * here, with the Secret the service reads) and `apiKey` (secret).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { HelloChart } from '../../../examples/hello/hello-chart';
import { GoshipApp } from '../../../lib';
import { GoshipDeployment } from '../../../lib/pulumi';

const config = new pulumi.Config();
const namespace = config.require('namespace');
const app = new GoshipApp();
new HelloChart(app, 'hello', { repository: config.require('repository'), namespace });
const ns = new k8s.core.v1.Namespace('namespace', { metadata: { name: namespace } });
const secret = new k8s.core.v1.Secret('secret', {
  metadata: { name: 'hello-api', namespace },
  stringData: { 'api-key': config.requireSecret('apiKey') },
}, { dependsOn: [ns] });
const deployment = new GoshipDeployment('hello', { app, prebuilt: true }, { dependsOn: [ns, secret] });

/** The deployed image, pinned. */
export const images = deployment.imageRefs;

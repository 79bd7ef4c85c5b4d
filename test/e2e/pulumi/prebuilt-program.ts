/**
 * A Pulumi program that deploys examples/hello from an image CI already pushed
 * (`prebuilt: true`): stack config `repository` (where the image is) and `namespace`.
 */
import * as pulumi from '@pulumi/pulumi';
import { HelloChart } from '../../../examples/hello/hello-chart';
import { GoshipApp } from '../../../lib';
import { GoshipDeployment } from '../../../lib/pulumi';

const config = new pulumi.Config();
const app = new GoshipApp();
new HelloChart(app, 'hello', { repository: config.require('repository'), namespace: config.require('namespace') });
const deployment = new GoshipDeployment('hello', { app, prebuilt: true });

/** The deployed image, pinned. */
export const images = deployment.imageRefs;

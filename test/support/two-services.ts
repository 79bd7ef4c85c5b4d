import * as path from 'path';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment } from '../../lib';
import { writePins } from '../../lib/pin/pins';
import { makeGoModule } from './go-module';

/** Synthesizes `api` and `worker` (ghcr.io/acme/<name>:v1) into `<root>/dist`, and a pin file with one other image; returns the output folder. */
export function synthTwoServices(root: string): string {
  const app = new GoshipApp({ outdir: path.join(root, 'dist'), rootdir: root, warn: () => undefined });
  for (const name of ['api', 'worker']) {
    const chart = new Chart(app, name);
    const image = new GoStaticImage(chart, 'image', { context: makeGoModule(), repository: `ghcr.io/acme/${name}`, tag: 'v1', platforms: [Platform.LINUX_AMD64] });
    new RollingDeployment(chart, name, { image });
  }
  app.synth();
  writePins(path.join(root, 'goship.pins.json'), new Map([['old', { ref: 'ghcr.io/acme/old:v0', digest: `sha256:${'b'.repeat(64)}` }]]));
  return path.join(root, 'dist');
}

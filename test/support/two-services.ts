import * as path from 'path';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment } from '../../lib';
import { writePins } from '../../lib/pin/pins';
import { makeGoModule } from './go-module';

/** Synthesizes `api` and `worker` (ghcr.io/acme/<name>:v1, both from the Go module `context`) into `<root>/dist`; returns the output folder. */
export function synthServices(root: string, context: string): string {
  const app = new GoshipApp({ outdir: path.join(root, 'dist'), rootdir: root, warn: () => undefined });
  for (const name of ['api', 'worker']) {
    const chart = new Chart(app, name);
    const image = new GoStaticImage(chart, 'image', { context, repository: `ghcr.io/acme/${name}`, tag: 'v1', platforms: [Platform.LINUX_AMD64] });
    new RollingDeployment(chart, name, { image });
  }
  app.synth();
  return path.join(root, 'dist');
}

/**
 * {@link synthServices} from a new Go module, then a pin file with one other image; returns
 * the output folder and the module.
 */
export function synthTwoServices(root: string): { out: string; context: string } {
  const context = makeGoModule();
  const out = synthServices(root, context);
  writePins(path.join(root, 'goship.pins.json'), new Map([['old', { ref: 'ghcr.io/acme/old:v0', digest: `sha256:${'b'.repeat(64)}` }]]));
  return { out, context };
}

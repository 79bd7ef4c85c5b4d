import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthServices, synthTwoServices } from '../support/two-services';

/**
 * `goship pin` killed with a real SIGKILL at every file system write it makes: right after the
 * kill every YAML file is whole (old or new), and the next synth puts the YAML and the pin file
 * back byte-identical, with nothing left beside them: it undoes the pin before it reads the pin
 * file, so it never renders the pins the journal is about to take back.
 */

const DIGEST = `sha256:${'a'.repeat(64)}`;

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.lstatSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : 'not a file']));
}

/** Runs the pin child, stopped and killed at write `stopAt`; resolves with how it ended. */
function pinKilledAt(root: string, stopAt: number): Promise<'killed' | 'done'> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fixtures', 'pin-child.ts')], {
    env: { ...process.env, OUTDIR: path.join(root, 'dist'), PINS_FILE: path.join(root, 'goship.pins.json'), DIGEST, STOP_AT: String(stopAt) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('stopped')) {
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve('killed') : code === 0 ? resolve('done') : reject(new Error(`pin child exited ${code}`))));
  });
}

test('a pin killed at any write is undone by the next run: YAML and pin file byte-identical', async () => {
  // GIVEN a synthesized app with two services and a pin file
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pin-kill-'));
  const { out, context } = synthTwoServices(root);
  const before = { out: files(out), top: files(root) };
  let killed = 0;
  for (let stopAt = 1; ; stopAt++) {
    // WHEN pin is killed at its stopAt-th write
    const ended = await pinKilledAt(root, stopAt);
    if (ended === 'done') {
      break;
    }
    killed++;
    // THEN every YAML file is there and whole, old or new
    for (const name of ['api.k8s.yaml', 'worker.k8s.yaml']) {
      expect(fs.readFileSync(path.join(out, name), 'utf8')).toMatch(/kind: Deployment[\s\S]*\n$/);
    }
    // AND the next synth puts everything back, and renders from the pin file it put back
    synthServices(root, context);
    expect(files(out)).toEqual(before.out);
    expect(files(root)).toEqual(before.top);
  }
  // AND the run that was not killed pinned everything
  expect(killed).toBeGreaterThan(4);
  expect(fs.readFileSync(path.join(out, 'api.k8s.yaml'), 'utf8')).toContain(`ghcr.io/acme/api:v1@${DIGEST}`);
  expect(fs.readFileSync(path.join(root, 'goship.pins.json'), 'utf8')).toContain(DIGEST);
}, 600_000);

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../lib/cli/main';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

/** An app command that writes one plan named `api`, as GoshipApp's synth does under publish. */
const FAKE_APP = `node -e "require('fs').writeFileSync(process.env.GOSHIP_PUBLISH_PLAN, JSON.stringify({ outdir: 'dist', images: [{ name: 'api' }] }))"`;

describe('goship publish (arguments)', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it('fails if there is no cdk8s.yaml and no --app, saying where to run it', async () => {
    process.chdir(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-publish-cli-')));
    const io = capture();
    expect(await main(['publish'], io)).toBe(1);
    expect(io.stderr[0]).toMatch(/^goship publish: no cdk8s.yaml in .* — run goship publish where cdk8s synth runs, or pass --app '<command that runs the app>'$/);
  });

  it('fails if --image names no image of the app, listing the images, with exit code 2', async () => {
    const io = capture();
    expect(await main(['publish', '--app', FAKE_APP, '--image', 'web'], io)).toBe(2);
    expect(io.stderr[0]).toBe("goship publish: no image named 'web' in the app (it has 'api')");
  });

  it('fails if the app command fails, quoting its error output', async () => {
    const io = capture();
    expect(await main(['publish', '--app', 'node -e "console.error(\'boom\'); process.exit(3)"'], io)).toBe(1);
    expect(io.stderr[0]).toContain('failed (exit 3):\nboom');
  });

  it('fails if the app writes no plans (not a GoshipApp)', async () => {
    const io = capture();
    expect(await main(['publish', '--app', 'true'], io)).toBe(1);
    expect(io.stderr[0]).toBe("goship publish: the app command 'true' ran but wrote no image plans — its app must be a GoshipApp that calls synth()");
  });
});

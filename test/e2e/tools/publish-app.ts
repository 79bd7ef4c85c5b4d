/** A cdk8s project folder whose app `goship publish` runs, and a proxy that cuts a push short. */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Cleanup } from './cleanup';
import { freePort } from './http';
import { exited, REPO_ROOT, RunResult } from './process';

/** One image of a publish project: its name, Go module folder and repository. */
export interface PublishProjectImage {
  readonly name: string;
  readonly context: string;
  readonly repository: string;
  /** `RuntimeBase.custom(base, …)` with the base's facts; default scratch. */
  readonly runtime?: { readonly kind: 'distroless' | 'alpine'; readonly image: string };
  /** An explicit tag; default: from git. */
  readonly tag?: string;
  /** Platform constants; default LINUX_AMD64 and LINUX_ARM64. */
  readonly platforms?: readonly ('LINUX_AMD64' | 'LINUX_ARM64')[];
}

/**
 * Writes a project folder: `cdk8s.yaml` (app: ts-node app.ts) and an `app.ts` with one chart
 * per image (GoStaticImage and RollingDeployment), synthesizing into `dist`.
 */
export function writePublishProject(dir: string, images: readonly PublishProjectImage[]): void {
  const lib = path.join(REPO_ROOT, 'lib');
  const runtime = (i: PublishProjectImage) => (i.runtime === undefined ? ''
    : `, runtime: RuntimeBase.${i.runtime.kind === 'distroless' ? 'distrolessStatic' : 'alpine'}(${JSON.stringify(i.runtime.image)})`);
  fs.writeFileSync(path.join(dir, 'app.ts'), [
    "import { Chart } from 'cdk8s';",
    `import { GoshipApp, GoStaticImage, Platform, RollingDeployment, RuntimeBase } from ${JSON.stringify(lib)};`,
    "const app = new GoshipApp({ outdir: 'dist', warn: () => undefined });",
    ...images.map((i) => [
      `{ const chart = new Chart(app, ${JSON.stringify(i.name)});`,
      `  const image = new GoStaticImage(chart, 'image', { name: ${JSON.stringify(i.name)}, context: ${JSON.stringify(i.context)}, repository: ${JSON.stringify(i.repository)}, platforms: [${(i.platforms ?? ['LINUX_AMD64', 'LINUX_ARM64']).map((p) => `Platform.${p}`).join(', ')}]${i.tag === undefined ? '' : `, tag: ${JSON.stringify(i.tag)}`}${runtime(i)} });`,
      `  new RollingDeployment(chart, ${JSON.stringify(i.name)}, { image }); }`,
    ].join('\n')),
    'app.synth();',
    '',
  ].join('\n'));
  // The app resolves cdk8s from the checkout's packages, as a project resolves its own.
  if (!fs.existsSync(path.join(dir, 'node_modules'))) {
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  }
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true } }));
  const tsNode = path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node');
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: ${tsNode} --transpile-only app.ts\noutput: dist\n`);
}

/** Starts `node bin/goship.js <args>` in `cwd`, for a test that may kill it. */
export function startGoship(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; result: Promise<RunResult & { signal: string | null }> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'goship.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const result = exited(child).catch(() => null).then((code) => ({ stdout, stderr, exitCode: code ?? -1, signal: child.signalCode }));
  return { child, result };
}

/**
 * A loopback proxy in front of a registry that calls `onRequest` for every request before
 * forwarding it; when that returns true the request is dropped (the connection destroyed).
 * `host` is `127.0.0.1:<port>`, a loopback registry as publish sees it.
 */
export async function startRegistryProxy(target: string, cleanup: Cleanup, onRequest: (req: http.IncomingMessage) => boolean): Promise<{ host: string }> {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    if (onRequest(req)) {
      req.socket.destroy();
      return;
    }
    const upstream = http.request(`http://${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: target } }, (up) => {
      const headers = { ...up.headers };
      if (typeof headers.location === 'string') {
        headers.location = headers.location.replace(`//${target}/`, `//127.0.0.1:${port}/`);
      }
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanup.add(`stop registry proxy ${port}`, () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve(undefined));
  }));
  return { host: `127.0.0.1:${port}` };
}

/**
 * `image  ref@digest  (blobs: U uploaded, M mounted, E already there)` lines, and
 * `image  ref@digest  (unchanged: …)` for a skipped image, → by image name.
 */
export function publishLines(result: RunResult): Map<string, { ref: string; digest: string; uploaded: number; mounted: number; existed: number; unchanged: boolean }> {
  const out = new Map();
  for (const m of result.stdout.matchAll(/^(\S+) {2}(\S+)@(sha256:[0-9a-f]{64}) {2}\((?:blobs: (\d+) uploaded, (\d+) mounted, (\d+) already there|(unchanged): [^)]*)\)$/gm)) {
    out.set(m[1], { ref: m[2], digest: m[3], uploaded: Number(m[4] ?? 0), mounted: Number(m[5] ?? 0), existed: Number(m[6] ?? 0), unchanged: m[7] !== undefined });
  }
  return out;
}

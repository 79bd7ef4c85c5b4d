/**
 * Local stand-ins for the runtime bases goship renders but no registry here can serve
 * (gcr.io/distroless/static, alpine), made from this machine's Debian files and imported into
 * the suite's Docker engine with `docker import`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { docker, dockerImageExists } from './docker';
import { run } from './process';

/** distroless static's content: CA bundle, zoneinfo, passwd/group with `nonroot` (65532), /tmp, no shell. */
export const DISTROLESS_STAND_IN = 'localhost/goship-stand-in/distroless-static:nonroot';

/** An alpine-like root: a static busybox (shell and tools) and a CA bundle; no C library, no zoneinfo. */
export const ALPINE_STAND_IN = 'localhost/goship-stand-in/alpine:3.20';

const BUSYBOX = '/bin/busybox';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const ZONEINFO = '/usr/share/zoneinfo';
const BUSYBOX_APPLETS = ['sh', 'ls', 'cat', 'env', 'id', 'ps', 'wget', 'nslookup', 'vi'];

const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'nobody:x:65534:', 'nonroot:x:65532:', ''].join('\n');

/** Makes both stand-ins unless the engine has them already; returns their names. */
export async function ensureStandInBases(): Promise<{ distroless: string; alpine: string }> {
  await importRoot(DISTROLESS_STAND_IN, 'distroless static (CA bundle, zoneinfo, nonroot user; no shell)', (root) => {
    writeFile(root, 'etc/passwd', PASSWD);
    writeFile(root, 'etc/group', GROUP);
    copyInto(root, CA_BUNDLE);
    fs.cpSync(ZONEINFO, path.join(root, ZONEINFO), { recursive: true, verbatimSymlinks: true });
    fs.mkdirSync(path.join(root, 'home', 'nonroot'), { recursive: true });
  }, ['USER 65532:65532']);
  await importRoot(ALPINE_STAND_IN, 'alpine (busybox shell, CA bundle; no zoneinfo)', (root) => {
    writeFile(root, 'etc/passwd', PASSWD.split('\n').filter((l) => !l.startsWith('nonroot')).join('\n'));
    writeFile(root, 'etc/group', GROUP.split('\n').filter((l) => !l.startsWith('nonroot')).join('\n'));
    copyInto(root, CA_BUNDLE);
    copyInto(root, BUSYBOX);
    for (const applet of BUSYBOX_APPLETS) {
      fs.symlinkSync('busybox', path.join(root, 'bin', applet));
    }
  }, ['CMD ["/bin/sh"]']);
  return { distroless: DISTROLESS_STAND_IN, alpine: ALPINE_STAND_IN };
}

/** Fills a root folder, tars it with numeric root ownership and imports it as `image`. */
async function importRoot(image: string, what: string, fill: (root: string) => void, changes: readonly string[]): Promise<void> {
  if (await dockerImageExists(image)) {
    return;
  }
  for (const needed of [BUSYBOX, CA_BUNDLE, ZONEINFO]) {
    if (!fs.existsSync(needed)) {
      throw new Error(`${needed} is missing: run \`sudo bash scripts/e2e-setup.sh\` (busybox-static, ca-certificates, tzdata)`);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-e2e-base-'));
  try {
    const root = path.join(dir, 'root');
    for (const d of ['bin', 'etc', 'tmp']) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fill(root);
    const archive = path.join(dir, 'root.tar');
    await run('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '-cf', archive, '.']);
    const label = `LABEL org.opencontainers.image.description="goship e2e stand-in for ${what}, made from Debian files"`;
    await docker(['import', ...[label, ...changes].flatMap((c) => ['--change', c]), archive, image]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeFile(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

function copyInto(root: string, file: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.copyFileSync(file, path.join(root, file));
}

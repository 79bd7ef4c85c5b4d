/**
 * A glibc image that lacks a library its binary needs (as a debian image without libgpgme
 * lacks what buildah needs): `goship verify` reads the image's layers and fails it, and runc
 * shows the loader stopping it with the words the finding quotes. The same image with the
 * library added passes and starts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildCgoWithLibrary } from '../support/cgo-library';
import {
  buildahBuild, Cleanup, e2eImageTag, exportOciLayout, goshipVerify, requireTools, runcRunToExit, unpackBundle,
} from './tools';

const describeE2E = requireTools(['buildah', 'runc', 'umoci', 'go', 'gcc']) ? describe : describe.skip;

/** A glibc runtime made of the host's loader and libc only, plus the binary (and the library when asked). */
function dockerfile(withLibrary: boolean): string {
  return [
    'FROM scratch',
    'COPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2',
    'COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6',
    ...(withLibrary ? ['COPY libgoshipdemo.so.1 /lib/x86_64-linux-gnu/libgoshipdemo.so.1'] : []),
    'COPY app /app',
    'USER 65532:65532',
    'ENTRYPOINT ["/app"]',
    '',
  ].join('\n');
}

describeE2E('DT_NEEDED libraries in a glibc image', () => {
  const cleanup = new Cleanup();
  const layouts: Record<'without' | 'with', string> = { without: '', with: '' };

  beforeAll(async () => {
    // GIVEN a real cgo binary needing libgoshipdemo.so.1, and two images: glibc only, and glibc + the library
    const context = cleanup.tmpdir('glibc-context');
    buildCgoWithLibrary(context);
    fs.copyFileSync(fs.realpathSync('/lib64/ld-linux-x86-64.so.2'), path.join(context, 'ld-linux-x86-64.so.2'));
    fs.copyFileSync(fs.realpathSync('/lib/x86_64-linux-gnu/libc.so.6'), path.join(context, 'libc.so.6'));
    for (const variant of ['without', 'with'] as const) {
      const file = path.join(context, `Dockerfile.${variant}`);
      fs.writeFileSync(file, dockerfile(variant === 'with'));
      const built = await buildahBuild({ dockerfile: file, context, platform: 'linux/amd64', tag: e2eImageTag('glibc', variant) }, cleanup);
      layouts[variant] = await exportOciLayout(built.tag, cleanup.tmpdir(`glibc-${variant}-oci`), variant);
    }
  });

  afterAll(() => cleanup.run());

  test('without the library: verify fails naming it, and the loader stops the container with the same words', async () => {
    // WHEN
    const verify = await goshipVerify([layouts.without]);
    const bundle = await unpackBundle(layouts.without, 'without', path.join(cleanup.tmpdir('glibc-without'), 'bundle'));
    const started = await runcRunToExit(bundle, cleanup, 'glibc-without');
    // THEN
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain('ERROR missing-library: dynamically linked: needs /lib64/ld-linux-x86-64.so.2 (libgoshipdemo.so.1, libc.so.6), and this image lacks libgoshipdemo.so.1');
    expect(started.exitCode).not.toBe(0);
    expect(started.stderr).toContain('/app: error while loading shared libraries: libgoshipdemo.so.1: cannot open shared object file');
  });

  test('with the library in a layer: verify passes with the dynamic-linking warning, and it starts', async () => {
    const verify = await goshipVerify([layouts.with]);
    const bundle = await unpackBundle(layouts.with, 'with', path.join(cleanup.tmpdir('glibc-with'), 'bundle'));
    const started = await runcRunToExit(bundle, cleanup, 'glibc-with');
    expect(verify.exitCode).toBe(0);
    expect(verify.stdout).toContain('WARN  dynamically-linked');
    expect(started).toMatchObject({ exitCode: 0 });
    expect(started.stderr.trim()).toBe('42');
  });
});

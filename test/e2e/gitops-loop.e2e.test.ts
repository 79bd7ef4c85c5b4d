/**
 * The loop from commit to rollout on examples/hello, with every step that can run here, in
 * order: build both platforms with buildah from what docker-bake.json says, push them to a
 * real registry as one index, `goship pin --from-registry`, synthesize again, `goship verify`
 * the image pulled back by the pinned digest, and `goship sbom` it. The pinned YAML passes the
 * policy gate and the Kubernetes 1.27 schema.
 *
 * What cannot run here: `docker buildx bake --push` itself (no buildx). Its metadata file is
 * written by the test in buildx's shape from the digest buildah pushed, to check that
 * `goship pin <metadata-file>` writes the same bytes as the registry lookup.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as CDX from '@cyclonedx/cyclonedx-library';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { HelloChart } from '../../examples/hello/hello-chart';
import { GoshipApp } from '../../lib';
import { validateManifests } from '../schema/validate';
import {
  buildOnce, Cleanup, copyToOciLayout, e2eImageTag, ensureBuilderImage, goship, LocalRegistry,
  pinnedBuilderImage, pushIndex, REPO_ROOT, requireTools, startRegistry,
} from './tools';

const describeE2E = requireTools(['buildah', 'skopeo', 'docker-registry']) ? describe : describe.skip;
const ARCHES = ['amd64', 'arm64'] as const;

describeE2E('the GitOps loop on examples/hello: build, push, pin, synth, verify, sbom', () => {
  const cleanup = new Cleanup();
  let registry: LocalRegistry;
  let root: string;
  let outdir: string;
  let pinsFile: string;
  let chart: HelloChart;
  let builderImage: string;
  let pushed: string;
  let pin: { exitCode: number; stdout: string; stderr: string };
  /** An empty Docker config folder: the registry is anonymous, and the machine's own config is never read. */
  let env: NodeJS.ProcessEnv;

  const synth = () => {
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT, pinsFile });
    chart = new HelloChart(app, 'hello', { builderImage, repository: `${registry.host}/team/hello` });
    app.synth();
  };
  const deployedImage = () => parseAllDocuments(fs.readFileSync(path.join(outdir, 'hello.k8s.yaml'), 'utf8'))
    .map((d) => d.toJS()).find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].image as string;

  beforeAll(async () => {
    const started = Date.now();
    builderImage = await pinnedBuilderImage(await ensureBuilderImage());
    registry = await startRegistry(cleanup);
    root = cleanup.tmpdir('loop');
    outdir = path.join(root, 'dist');
    pinsFile = path.join(root, 'goship.pins.json');
    env = { ...process.env, DOCKER_CONFIG: cleanup.tmpdir('docker-config') };

    // 1. synth and build every platform as bake would (an identical build of examples/hello
    //    earlier in this run, by hello.e2e.test.ts, is reused: one build per variant)
    synth();
    const bake = JSON.parse(fs.readFileSync(path.join(outdir, 'docker-bake.json'), 'utf8')).target.hello;
    const context = path.resolve(REPO_ROOT, bake.context);
    const dockerfile = path.resolve(context, bake.dockerfile);
    const built: string[] = [];
    for (const arch of ARCHES) {
      const image = await buildOnce({
        dockerfile, context, ignoreFile: `${dockerfile}.dockerignore`, platform: `linux/${arch}`, buildArgs: bake.args, tag: e2eImageTag('loop', arch),
      }, cleanup);
      built.push(image.tag);
      process.stdout.write(`e2e: loop linux/${arch}: ${image.log.startsWith('reused') ? 'reused the identical build of hello.e2e' : 'built'} in ${image.seconds.toFixed(1)} s\n`);
    }
    // 2. push both as one index under the tag goship gave the image
    pushed = await pushIndex({ images: built, destination: bake.tags[0] }, cleanup);
    // 3. pin from the registry
    pin = await goship(['pin', '--from-registry', '--outdir', outdir, '--pins', pinsFile], { env });
    process.stdout.write(`e2e: loop build + push + pin took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });

  afterAll(() => cleanup.run());

  test('goship pin --from-registry pins the pushed index digest into the YAML and the pin file', () => {
    expect(pin).toMatchObject({ exitCode: 0, stderr: '' });
    expect(deployedImage()).toBe(`${chart.image.imageRef}@${pushed}`);
    expect(JSON.parse(fs.readFileSync(pinsFile, 'utf8')).images).toEqual({ hello: { ref: chart.image.imageRef, digest: pushed } });
  });

  test('synth again keeps the pin, byte for byte; a bake metadata file with the same digest pins the same bytes', async () => {
    // GIVEN what pin wrote
    const pinned = fs.readFileSync(path.join(outdir, 'hello.k8s.yaml'), 'utf8');
    // WHEN 4. synth
    synth();
    // THEN
    expect(fs.readFileSync(path.join(outdir, 'hello.k8s.yaml'), 'utf8')).toBe(pinned);
    // AND buildx's metadata file (written here in its shape: buildx cannot run on this machine)
    const metadata = path.join(root, 'bake-metadata.json');
    fs.writeFileSync(metadata, JSON.stringify({ hello: {
      'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.index.v1+json', digest: pushed },
      'containerimage.digest': pushed,
      'image.name': chart.image.imageRef,
    } }));
    expect(await goship(['pin', metadata, '--outdir', outdir, '--pins', pinsFile], { env })).toMatchObject({ exitCode: 0 });
    expect(fs.readFileSync(path.join(outdir, 'hello.k8s.yaml'), 'utf8')).toBe(pinned);
  });

  test('the pinned YAML passes the policy gate and the Kubernetes 1.27 schema', async () => {
    const check = await goship(['check', outdir]);
    expect(check).toMatchObject({ exitCode: 0 });
    const objects = parseAllDocuments(fs.readFileSync(path.join(outdir, 'hello.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(validateManifests(objects)).toEqual([]);
  });

  describe('the image pulled back from the registry by the pinned digest', () => {
    let pulled: string;
    beforeAll(async () => {
      // The tag is dropped: skopeo refuses references with both a tag and a digest; the digest names the bytes.
      pulled = cleanup.tmpdir('loop-pulled');
      await copyToOciLayout(`docker://${deployedImage().replace(/:[^/:@]+@/, '@')}`, pulled, 'pinned');
    });

    test('5. goship verify passes on both platforms', async () => {
      const verify = await goship(['verify', pulled]);
      expect(verify).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/2 images checked/) });
    });

    test('6. goship sbom lists the main module and the Go standard library, with the runtime files, the same bytes twice', async () => {
      // WHEN
      const spdx = await goship(['sbom', pulled, '--platform', 'linux/amd64']);
      const again = await goship(['sbom', pulled, '--platform', 'linux/amd64']);
      const cdx = await goship(['sbom', pulled, '--platform', 'linux/arm64', '--format', 'cyclonedx']);
      // THEN
      expect(spdx).toMatchObject({ exitCode: 0, stderr: '' });
      expect(again.stdout).toBe(spdx.stdout);
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'sbom', 'spdx-2.3.schema.json'), 'utf8')));
      const doc = JSON.parse(spdx.stdout);
      expect([validate(doc), validate.errors ?? []]).toEqual([true, []]);
      expect(doc.packages.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['example.com/hello', 'stdlib']));
      expect(doc.files.map((f: { fileName: string }) => f.fileName)).toEqual(expect.arrayContaining(['./etc/ssl/certs/ca-certificates.crt', './etc/passwd']));
      expect(cdx).toMatchObject({ exitCode: 0 });
      expect(await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(cdx.stdout)).toBeNull();
    });
  });
});

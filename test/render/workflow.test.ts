import { parse } from 'yaml';
import { GOVULNCHECK_GO, renderWorkflow, WorkflowSpec } from '../../lib/render/workflow';

const SPEC: WorkflowSpec = {
  images: [
    { name: 'api', repository: 'ghcr.io/acme/api', context: 'services/api', platforms: ['linux/amd64', 'linux/arm64'] },
    { name: 'worker', repository: 'ghcr.io/acme/worker', context: 'services/worker', platforms: ['linux/amd64'] },
  ],
  outdir: 'dist',
  synthCommand: 'npm run synth',
  branch: 'main',
  nodeVersion: '20',
  pinsFile: 'goship.pins.json',
};

type Step = { name: string; uses?: string; with?: Record<string, unknown>; run?: string };
type Job = { steps: Step[] };
const jobs = (spec: WorkflowSpec): Record<string, Job> => (parse(renderWorkflow(spec)) as { jobs: Record<string, Job> }).jobs;

describe('the generated workflow: history, build cache, govulncheck', () => {
  test('every job that synthesizes checks out the whole history (tags are the last commit of the inputs)', () => {
    for (const job of Object.values(jobs(SPEC))) {
      const synth = job.steps.some((s) => s.run === SPEC.synthCommand);
      const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
      expect(checkout.with?.['fetch-depth']).toBe(synth ? 0 : undefined);
    }
  });

  test('pushes no build cache by default: nothing with the source leaves the runner', () => {
    const bake = jobs(SPEC).image.steps.find((s) => s.run?.includes('docker buildx bake'))!;
    expect(bake.run).not.toMatch(/cache-to|cache-from|buildcache/);
  });

  test('with a cache repository, the cache goes there, one tag per image, never to an image repository', () => {
    const bake = jobs({ ...SPEC, cacheRepository: 'ghcr.io/acme/private-buildcache' }).image.steps.find((s) => s.run?.includes('docker buildx bake'))!;
    expect(bake.run).toContain("--set 'api.cache-to=type=registry,ref=ghcr.io/acme/private-buildcache:api,mode=max'");
    expect(bake.run).toContain("--set 'worker.cache-from=type=registry,ref=ghcr.io/acme/private-buildcache:worker'");
    for (const image of SPEC.images) {
      expect(bake.run).not.toContain(`ref=${image.repository}`);
    }
    expect(bake.name).toContain('private');
  });

  test("govulncheck runs with a Go that can build it (1.25 or newer), on the binaries the module's Go built", () => {
    const steps = jobs(SPEC).test.steps;
    const vuln = steps.findIndex((s) => s.run?.includes('govulncheck@'));
    const build = steps.findIndex((s) => s.run?.includes('go build'));
    const goForVuln = steps.slice(0, vuln).reverse().find((s) => s.uses?.startsWith('actions/setup-go@'))!;
    const [major, minor] = String(goForVuln.with?.['go-version']).split('.').map(Number);
    expect(major === 1 && minor >= 25).toBe(true);
    expect(goForVuln.with?.['go-version']).toBe(GOVULNCHECK_GO);
    expect(build).toBeLessThan(steps.indexOf(goForVuln));
    expect(steps[vuln].run).toContain('-mode=binary "$binary"');
    // the module's own Go (go.mod) still runs the tests and the build
    const goForModule = steps.slice(0, build).find((s) => s.uses?.startsWith('actions/setup-go@'))!;
    expect(goForModule.with?.['go-version-file']).toBe('${{ matrix.module }}/go.mod');
  });
});

import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DockerfileSyntax, dockerfileSyntax } from '../image/dockerfile-syntax';
import { DOCKERFILE_SYNTAX_CONTEXT, GoStaticImage } from '../image/go-static-image';
import { ValidationError, validating } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { replaceDirectory } from '../output/atomic-output';
import { stringifyManifests } from '../output/manifest-yaml';
import { recoverInterruptedPin } from '../output/output-lock';
import { applyPins, pinsFileOf } from '../pin/pins';
import { checkDockerfile, checkManifestSources, Finding } from '../policy';
import { renderBakeFile } from '../render/bake';
import { crossCheck } from './cross-checks';
import { PUBLISH_PLAN_ENV, writePublishPlans } from './publish-plans';
import { placeOf, warningLines } from './warnings';

/** Props of {@link GoshipApp}. */
export interface GoshipAppProps {
  /**
   * The output folder. goship owns it: each synth replaces it whole.
   * @default - `CDK8S_OUTDIR` when set (as `cdk8s synth` sets it), else 'dist'
   */
  readonly outdir?: string;
  /**
   * The folder `docker buildx bake` runs from; build contexts in the bake file are relative to it.
   * @default - the working directory
   */
  readonly rootdir?: string;
  /**
   * Policy rules not to run at synth, by id (see `POLICY_RULES` and the README). Errors of the
   * other rules fail the synth; warnings are printed.
   * @default - every rule runs
   */
  readonly skipPolicies?: readonly string[];
  /**
   * Where policy warnings are printed.
   * @default - standard error
   */
  readonly warn?: (message: string) => void;
  /**
   * The pin file `goship pin` writes: each image whose pin is for the exact `repository:tag`
   * it builds now is written as `repository:tag@sha256:…`. A missing file means no pins;
   * `false` ignores the file.
   * @default - `goship.pins.json` in `rootdir`
   */
  readonly pinsFile?: string | false;
  /**
   * The `# syntax=` directive of every image's Dockerfile, unless the image sets its own:
   * `DockerfileSyntax.mirror(…)` or `.builtIn()` for build machines without Docker Hub.
   * @default DockerfileSyntax.dockerfile1()
   */
  readonly dockerfileSyntax?: DockerfileSyntax;
}

/** Every prop of GoshipApp: the compiler keeps this list and the interface in step. */
const GOSHIP_APP_PROPS: PropNames<GoshipAppProps> = {
  outdir: true,
  rootdir: true,
  skipPolicies: true,
  warn: true,
  pinsFile: true,
  dockerfileSyntax: true,
};

/** The Kubernetes objects of one chart, in the order cdk8s writes them. */
export interface ChartManifest {
  readonly chart: Chart;
  /** File name without extension, as cdk8s names it (`hello`, or `0000-hello` when charts depend on each other). */
  readonly name: string;
  readonly objects: readonly any[];
}

/**
 * A cdk8s `App` that also writes each {@link GoStaticImage}'s Dockerfile and one bake file,
 * and that synthesizes in one pass, atomically.
 *
 * `synth()` writes into `outdir`:
 * - `<chart>.k8s.yaml` for every chart, byte-identical to what cdk8s writes;
 * - `images/<name>/Dockerfile` and `images/<name>/Dockerfile.dockerignore` for every image;
 * - `docker-bake.json`, so `docker buildx bake -f <outdir>/docker-bake.json` builds them all.
 *
 * Unlike cdk8s `App.synth()`, which re-resolves and re-validates the whole app once per chart,
 * the app-wide work runs once, so synth time grows linearly with the number of charts. And
 * nothing is written until everything rendered: a failed synth leaves the previous output as
 * it was.
 */
export class GoshipApp extends App {
  /** The absolute folder bake runs from. */
  public readonly rootdir: string;
  private readonly skipPolicies: readonly string[];
  private readonly warn: (message: string) => void;
  /** The absolute pin file synth reads, or undefined when pins are off. */
  public readonly pinsFile?: string;

  public constructor(props: GoshipAppProps = {}) {
    const syntax = validating('GoshipApp', () => {
      rejectUnknownProps(props, GOSHIP_APP_PROPS, 'GoshipApp');
      return props.dockerfileSyntax === undefined ? undefined : dockerfileSyntax('dockerfileSyntax', props.dockerfileSyntax);
    });
    super({ outdir: props.outdir });
    if (syntax) {
      // Context, so every image below reads it at construction, before synth.
      this.node.setContext(DOCKERFILE_SYNTAX_CONTEXT, syntax);
    }
    this.rootdir = path.resolve(props.rootdir ?? process.cwd());
    this.skipPolicies = props.skipPolicies ?? [];
    this.warn = props.warn ?? ((m) => process.stderr.write(`${m}\n`));
    this.pinsFile = validating('GoshipApp', () => pinsFileOf(props.pinsFile, this.rootdir));
  }

  /**
   * Renders everything, then replaces the output folder with it. When `goship publish` runs
   * the app (it sets `GOSHIP_PUBLISH_PLAN`), writes only the images' publish plans to that file
   * instead, after the same validation: the output folder stays as it is until the push succeeded.
   */
  public override synth(): void {
    // A pin killed half way is undone before the pin file is read, not after.
    recoverInterruptedPin(this.outdir);
    const files = this.renderFiles();
    const planFile = process.env[PUBLISH_PLAN_ENV];
    if (planFile) {
      writePublishPlans(planFile, this.images(), path.resolve(this.outdir), this.pinsFile);
      return;
    }
    replaceDirectory(this.outdir, files);
  }

  /**
   * Every output file (path relative to `outdir` → content), in memory. Validates the whole
   * app, checks images against their deployments and runs the policy gate first; throws
   * without writing anything.
   */
  public renderFiles(): Map<string, string> {
    const problems = crossCheck(this);
    if (problems.length === 1) {
      throw problems[0];
    }
    if (problems.length > 1) {
      throw new Error(`goship: the images and deployments disagree:\n  ${problems.map((p) => p.message).join('\n  ')}`);
    }
    const files = new Map<string, string>();
    const manifests = applyPins(this.manifests(), this.images(), this.pinsFile);
    for (const m of manifests) {
      files.set(`${m.name}${this.outputFileExtension}`, stringifyManifests(m.objects));
    }
    const images = this.images();
    const outdir = path.resolve(this.outdir);
    const targets = images.map((image) => {
      const dir = path.join(outdir, 'images', image.name);
      files.set(`images/${image.name}/Dockerfile`, image.renderDockerfile());
      files.set(`images/${image.name}/Dockerfile.dockerignore`, image.renderDockerignore());
      return {
        ...image.spec.bake,
        context: portable(path.relative(this.rootdir, image.contextDir)) || '.',
        dockerfile: portable(path.relative(image.contextDir, path.join(dir, 'Dockerfile'))),
      };
    });
    if (targets.length > 0) {
      files.set('docker-bake.json', renderBakeFile(targets));
    }
    this.enforcePolicies(manifests, files);
    return files;
  }

  /** Runs the policy gate over the rendered objects and Dockerfiles: errors throw, warnings print. */
  private enforcePolicies(manifests: readonly ChartManifest[], files: ReadonlyMap<string, string>): void {
    // What goship writes is held to Pod Security 'restricted', whatever the cluster enforces.
    const opts = { skip: this.skipPolicies, level: 'restricted' as const };
    const findings: Finding[] = checkManifestSources(
      manifests.flatMap((m) => m.objects.map((object) => ({ object, file: `${m.name}${this.outputFileExtension}` }))), opts);
    for (const [file, text] of files) {
      if (file.endsWith('/Dockerfile')) {
        findings.push(...checkDockerfile(text, file, opts));
      }
    }
    const format = (f: Finding) => `${placeOf(f)} [${f.rule}] ${f.message}`;
    // A warning repeated across many images prints once, with a count and the first places.
    warningLines(findings.filter((x) => x.severity === 'warning')).forEach((line) => this.warn(line));
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw new Error(`goship: ${errors.length} policy error(s); nothing was written (skip a rule with GoshipApp's skipPolicies):\n  ${errors.map(format).join('\n  ')}`);
    }
  }

  /**
   * The Kubernetes objects of every chart, resolved, in cdk8s order. The one source for the
   * YAML files and for the Pulumi backend.
   */
  public manifests(): ChartManifest[] {
    const all = this.node.findAll();
    validateAll(all);
    const hasDependantCharts = resolveDependencies(all);
    const charts = new DependencyGraph(this.node).topology().filter((c): c is Chart => c instanceof Chart);
    let index = 0;
    return charts.map((chart) => {
      const base = Names.toDnsLabel(chart);
      const name = hasDependantCharts ? `${String(index++).padStart(4, '0')}-${base}` : base;
      return { chart, name, objects: chartObjects(chart).map((o) => o.toJson()) };
    });
  }

  /** Every GoStaticImage in the app, in construct order; names must be unique. */
  public images(): GoStaticImage[] {
    const images = this.node.findAll().filter(GoStaticImage.isGoStaticImage);
    const byName = new Map<string, GoStaticImage>();
    for (const image of images) {
      const other = byName.get(image.name);
      if (other) {
        throw new ValidationError({
          prop: 'name',
          value: image.name,
          why: `another image (${other.node.path}) has the same name, and both would be written to images/${image.name}/`,
          fix: 'give one of them a different name or repository',
        }, image.node.path);
      }
      byName.set(image.name, image);
    }
    return images;
  }
}

function portable(p: string): string {
  return p.split(path.sep).join('/');
}

/** Runs every construct's validations once (cdk8s runs them once per chart). */
function validateAll(all: readonly IConstruct[]): void {
  const errors: string[] = [];
  for (const c of all) {
    for (const e of c.node.validate()) {
      errors.push(`[${c.node.path}] ${e}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/**
 * Turns construct dependencies into chart and object dependencies, once for the whole app —
 * the same rules as cdk8s applies before each chart, so the output order is the same.
 */
function resolveDependencies(all: readonly IConstruct[]): boolean {
  let hasDependantCharts = false;
  for (const parent of all.filter((c): c is Chart => c instanceof Chart)) {
    for (const child of parent.node.children.filter((c) => c instanceof Chart)) {
      parent.node.addDependency(child);
      hasDependantCharts = true;
    }
  }
  const dependencies = () => all.flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
  for (const { source, target } of dependencies()) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  const apiObjectsOf = (c: IConstruct, chart: Chart): ApiObject[] =>
    c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
  // Read again: the chart dependencies added above count too, as they do in cdk8s.
  for (const { source, target } of dependencies()) {
    const targets = apiObjectsOf(target, Chart.of(target));
    const sources = apiObjectsOf(source, Chart.of(source));
    for (const t of targets) {
      for (const s of sources) {
        if (t !== s) {
          s.node.addDependency(t);
        }
      }
    }
  }
  return hasDependantCharts;
}

/** The API objects of a chart in dependency order, each only in its closest chart. */
function chartObjects(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

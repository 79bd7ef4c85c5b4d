/** What the e2e suites read back from a synthesized app: bake targets, and what hello reports. */
import * as fs from 'fs';
import * as path from 'path';

/** The parts of a docker-bake.json target a build reads. */
export interface BakeTarget {
  readonly context: string;
  readonly dockerfile: string;
  readonly platforms: string[];
  readonly args: Record<string, string>;
  readonly tags: string[];
}

/** Every target of `<outdir>/docker-bake.json`, by image name. */
export function readBakeTargets(outdir: string): Record<string, BakeTarget> {
  return (JSON.parse(fs.readFileSync(path.join(outdir, 'docker-bake.json'), 'utf8')) as { target: Record<string, BakeTarget> }).target;
}

/** What examples/hello answers on `/`. */
export interface HelloReport {
  readonly version: string;
  readonly uid: number;
  readonly gid: number;
  readonly tlsRoots: boolean;
  readonly zoneinfo: boolean;
  readonly greeting: string;
}

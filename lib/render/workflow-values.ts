import type { WorkflowSpec } from './workflow';

/**
 * What `goship ci` accepts from a bake file (and its flags) before copying it into a
 * workflow. Every value lands in `run:` shell lines or in `${{ }}` expressions, so each must
 * match a narrow pattern of what goship itself writes: no quotes, spaces, `$`, backticks,
 * braces or line breaks can reach the shell or the expression language. Anything else is
 * refused, naming the image, the field and the value; nothing is escaped into meaning.
 */

const PATTERNS = {
  /** A bake target as goship names images: a DNS label. */
  name: { re: /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, what: 'a lower-case DNS label (goship names images so)' },
  /** registry[:port]/path, lower case. */
  repository: { re: /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)+$|^[a-z0-9]+([._-]+[a-z0-9]+)*$/, what: 'an image repository (host[:port]/path, lower case)' },
  /** os/arch[/variant]. */
  platform: { re: /^[a-z0-9]+\/[a-z0-9_]+(\/v[0-9]+)?$/, what: 'an os/arch[/variant] platform' },
  /** A folder: letters, digits, . _ - and /, not starting with - (an option to a command). */
  path: { re: /^(?!-)[A-Za-z0-9._/-]+$/, what: 'a folder of letters, digits, . _ - and /' },
} as const;

function check(kind: keyof typeof PATTERNS, where: string, value: string): void {
  const { re, what } = PATTERNS[kind];
  if (!re.test(value)) {
    throw new Error(`${where}: ${JSON.stringify(value)} is not ${what} — goship copies it into the workflow's shell steps and expressions, ` +
      'so it refuses anything else; synthesize again with goship, or fix docker-bake.json');
  }
}

/**
 * Checks every value of `spec` that the workflow copies into shell or expressions.
 *
 * @throws Error naming the image, field and value
 */
export function checkWorkflowValues(spec: WorkflowSpec): void {
  check('path', '--outdir', spec.outdir);
  check('path', 'pins file', spec.pinsFile);
  if (!/^[A-Za-z0-9._/-]+$/.test(spec.branch)) {
    throw new Error(`--branch: ${JSON.stringify(spec.branch)} is not a branch name of letters, digits, . _ - and /`);
  }
  if (!/^[0-9]+$/.test(spec.nodeVersion)) {
    throw new Error(`node version: ${JSON.stringify(spec.nodeVersion)} is not a major version number`);
  }
  if (/[\r\n\u0085\u2028\u2029]|\$\{\{/.test(spec.synthCommand)) {
    throw new Error(`--synth: ${JSON.stringify(spec.synthCommand)} holds a line break or \${{ — give one shell command line without expressions`);
  }
  for (const image of spec.images) {
    check('name', 'docker-bake.json: a target name', image.name);
    check('repository', `docker-bake.json: target '${image.name}' tags`, image.repository);
    check('path', `docker-bake.json: target '${image.name}' context`, image.context);
    for (const p of image.platforms) {
      check('platform', `docker-bake.json: target '${image.name}' platforms`, p);
    }
  }
}

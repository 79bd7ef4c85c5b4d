/** What the e2e suites need on the machine, and what happens when it is missing. */
import { which } from './process';

/** The tools the e2e suites need, and the Debian package that brings each. */
export const E2E_TOOLS: Readonly<Record<string, string>> = {
  'buildah': 'buildah',
  'runc': 'runc',
  'umoci': 'umoci',
  'skopeo': 'skopeo',
  'docker-registry': 'docker-registry',
  'qemu-aarch64-static': 'qemu-user-static',
  'openssl': 'openssl',
};

/** True when `CI=true`: then a missing prerequisite fails the suite instead of skipping it. */
export const IN_CI = process.env.CI === 'true';

function onPath(tool: string): boolean {
  try {
    which(tool);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that the tools are on PATH and that we are root (buildah's vfs storage and runc need it).
 *
 * In CI (`CI=true`) anything missing throws, so the suite fails instead of passing silently.
 * Elsewhere it prints what is missing and returns false, so the caller can `describe.skip`.
 */
export function requireTools(tools: readonly string[] = Object.keys(E2E_TOOLS)): boolean {
  const problems: string[] = [];
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => E2E_TOOLS[t] ?? t))];
    problems.push(`missing on PATH: ${missing.join(', ')} (Debian packages: ${packages.join(' ')})`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push('not root: buildah (vfs storage) and runc need root here');
  }
  if (problems.length === 0) {
    return true;
  }
  const message = `e2e prerequisites: ${problems.join('; ')}. Run \`sudo bash scripts/e2e-setup.sh\`.`;
  if (IN_CI) {
    throw new Error(message);
  }
   
  console.warn(`SKIPPING e2e suite — ${message}`);
  return false;
}

import { ValidationError } from '../model/errors';
import { parseImageReference } from '../model/image-ref';
import { DEFAULT_FRONTEND } from '../render/dockerfile';

/**
 * Which Dockerfile frontend BuildKit uses: the `# syntax=` directive on the first line.
 *
 * With a directive, BuildKit first pulls that frontend image and lets it parse the file; without
 * one it uses the frontend built into the engine, whose version is the engine's. A build
 * machine that cannot reach Docker Hub (air-gapped, or mirror-only CI) cannot pull
 * `docker/dockerfile:1` and fails before the first step: point the directive at a mirror, or
 * use the built-in frontend. Every instruction goship writes works on Docker 20.10's built-in
 * frontend (BuildKit 0.8: `RUN --mount`, `FROM --platform`, `Dockerfile.dockerignore`).
 *
 * @example
 * DockerfileSyntax.dockerfile1()                                        // # syntax=docker/dockerfile:1
 * DockerfileSyntax.mirror('registry.internal/docker/dockerfile:1')      // the same frontend, from a mirror
 * DockerfileSyntax.builtIn()                                            // no directive
 */
export class DockerfileSyntax {
  /**
   * `# syntax=docker/dockerfile:1`, the default: the newest 1.x frontend from Docker Hub, so a
   * Dockerfile parses the same on an old engine as on a new one, and its features do not wait
   * for the engine's upgrade. Needs Docker Hub at build time.
   */
  public static dockerfile1(): DockerfileSyntax {
    return new DockerfileSyntax(DEFAULT_FRONTEND);
  }

  /**
   * The frontend image from a registry the build machine can reach, e.g. a pull-through mirror:
   * `registry.internal/docker/dockerfile:1`. Pin it by digest for reproducible parsing.
   */
  public static mirror(image: string): DockerfileSyntax {
    // A reference without tag or digest (BuildKit would pull :latest) is refused here too.
    parseImageReference('dockerfileSyntax', image);
    return new DockerfileSyntax(image);
  }

  /**
   * No directive: the frontend built into the engine (Docker 20.10 and newer, or BuildKit's
   * own buildkitd). Builds without pulling anything for parsing.
   */
  public static builtIn(): DockerfileSyntax {
    return new DockerfileSyntax(undefined);
  }

  private constructor(
    /** The frontend image of the directive; undefined for the built-in frontend. */
    public readonly frontend: string | undefined,
  ) {}
}

/** Checks that a prop holds a {@link DockerfileSyntax} (JavaScript callers can pass anything). */
export function dockerfileSyntax(prop: string, value: unknown): DockerfileSyntax {
  if (!(value instanceof DockerfileSyntax)) {
    throw ValidationError.invalid(prop, value, 'not a DockerfileSyntax', "use DockerfileSyntax.dockerfile1(), .mirror('registry.internal/docker/dockerfile:1') or .builtIn()");
  }
  return value;
}

import {
  GoBuild, baseImage, buildStages, finalStage, fromScope, goBuilds, opaqueBuild, resolveGoVar, runScript, runsOnBuildPlatform,
  scopeAt, shellCommands, stageChain, stageNamed,
} from './dockerfile-model';
import { Dockerfile, Instruction, Stage, expand, splitWords } from './dockerfile-parse';
import { DockerfileRule, LineHit, say } from './finding';
import { splitImage } from './workloads';

/**
 * Dockerfile rules: what makes a Go image start (a static binary on a static base, a
 * command without a shell) and run safely (a numeric non-root user), and what keeps the
 * build honest (pinned, tagged bases; native cross-compilation).
 */

/** What the final image runs on, as far as a Go binary cares. */
interface Runtime {
  readonly image: string;
  /** Has no C library a cgo binary could load: scratch, distroless static, Chainguard static; alpine has musl, not glibc. */
  readonly static: boolean;
  /** Has no `/bin/sh`. */
  readonly shellless: boolean;
}

function runtime(df: Dockerfile): Runtime | undefined {
  const last = finalStage(df);
  const image = last && baseImage(df, last);
  if (image === undefined) {
    return undefined;
  }
  const { name, tag } = splitImage(image.toLowerCase());
  const distroless = /(^|\/)distroless\//.test(name);
  const chainguardStatic = /(^|\/)chainguard\/static$/.test(name);
  return {
    image,
    static: name === 'scratch' || /(^|\/)distroless\/static(-debian\d+)?$/.test(name) || chainguardStatic || /(^|\/)alpine$/.test(name),
    shellless: name === 'scratch' || chainguardStatic || (distroless && !(tag ?? '').includes('debug')),
  };
}

/** The last instruction with this keyword in the final stage or the stages it builds on, with its stage. */
function lastInChain(df: Dockerfile, keyword: string): { stage: Stage; ins: Instruction; index: number } | undefined {
  const last = finalStage(df);
  for (const stage of last ? stageChain(df, last) : []) {
    for (let i = stage.instructions.length - 1; i >= 0; i--) {
      if (stage.instructions[i].keyword === keyword) {
        return { stage, ins: stage.instructions[i], index: i };
      }
    }
  }
  return undefined;
}

/** Stages based on an external image (not `scratch`, not another stage), with that image resolved. */
function externalBases(df: Dockerfile): { stage: Stage; image: string }[] {
  const scope = fromScope(df);
  return df.stages.flatMap((stage) => {
    const e = expand(stage.image, scope);
    const image = e.text;
    if (image === '' || e.dynamic || e.undeclared.length > 0 || image.toLowerCase() === 'scratch' || stageNamed(df, image, stage.index)) {
      return [];
    }
    return [{ stage, image }];
  });
}

const stageName = (s: Stage) => (s.name ? `stage '${s.name}'` : `stage ${s.index}`);

/** One hit per `RUN` line. */
function perRun(builds: readonly GoBuild[], f: (b: GoBuild) => string | undefined): LineHit[] {
  const out = new Map<number, LineHit>();
  for (const b of builds) {
    const message = out.has(b.run.line) ? undefined : f(b);
    if (message !== undefined) {
      out.set(b.run.line, { line: b.run.line, message });
    }
  }
  return [...out.values()];
}

/** Bases whose images set a non-root user: distroless `:nonroot` tags, Chainguard's images. */
const NON_ROOT_BASE = /^(gcr\.io\/distroless\/[^@]*:([^@]*-)?nonroot(@.*)?|cgr\.dev\/chainguard\/(?!.*:latest-dev).*)$/;
/** Bases known to run as root when no USER is set. */
const ROOT_BASE = /^(scratch|(docker\.io\/)?(library\/)?(alpine|debian|ubuntu|busybox|golang|centos|fedora|rockylinux|almalinux|amazonlinux)([:@].*)?|gcr\.io\/distroless\/[^:@]*(:(latest|debug|[0-9][^@]*)?)?(@.*)?)$/;

/** The image the stage's FROM chain starts from (following `FROM <stage>`), as written. */
function externalBase(df: Dockerfile, stage: Stage): string {
  let cur = stage;
  for (let hops = 0; hops < df.stages.length; hops++) {
    const named = df.stages.find((s) => s.index < cur.index && s.name !== undefined && s.name === cur.image.toLowerCase());
    if (!named) {
      break;
    }
    cur = named;
  }
  return cur.image;
}

/** Dockerfile rules, in README order. */
export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  {
    target: 'dockerfile',
    id: 'dockerfile/syntax',
    severity: 'error',
    description: 'The Dockerfile can be read: known instructions, at least one FROM.',
    check: (df) => df.problems.map((p) => ({ line: p.line, message: say(p.message, 'the build fails before it starts', 'fix the line') })),
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/non-root-user',
    severity: 'error',
    description: 'The final stage sets a numeric, non-root USER uid:gid.',
    check: (df) => {
      const last = finalStage(df);
      if (!last) {
        return [];
      }
      const found = lastInChain(df, 'USER');
      if (!found) {
        const base = externalBase(df, last);
        if (NON_ROOT_BASE.test(base)) {
          return [];
        }
        if (!ROOT_BASE.test(base)) {
          return [{ line: last.line, severity: 'notice', message: say(`the final stage sets no USER, so it runs as the user of its base '${base}', which goship does not know`,
            'if that base runs as root (uid 0), a pod with runAsNonRoot: true is refused by the kubelet',
            "check the base's user (docker inspect -f '{{.Config.User}}' IMAGE), or add 'USER 65532:65532' to the final stage") }];
        }
        return [{ line: last.line, message: say('the final stage sets no USER',
          `the container runs as root (uid 0): '${base}' sets no user, and a pod with runAsNonRoot: true is refused by the kubelet`,
          "add 'USER 65532:65532' (numeric uid:gid) to the final stage") }];
      }
      const e = expand(found.ins.args, scopeAt(df, found.stage, found.index).vars);
      const [user = '', group] = (splitWords(e.text)[0] ?? '').split(':');
      const numeric = 'the kubelet can prove runAsNonRoot only for a numeric uid, and scratch has no /etc/passwd to resolve a name';
      const problem: [string, string] | undefined = e.dynamic || e.undeclared.length > 0 ? [`USER ${found.ins.args} depends on a build argument`, numeric]
        : !/^\d+$/.test(user) ? [`USER '${user}' is a name, not a numeric uid`, numeric]
          : Number(user) === 0 ? ['USER is uid 0 (root)', 'a process running as root in the container is one kernel bug away from root on the node, and the kubelet refuses it under runAsNonRoot: true']
            : group === undefined ? [`USER ${user} has no group`, 'without a passwd entry for the uid the process runs in group 0 (root) and can write every root-group file']
              : !/^\d+$/.test(group) ? [`USER ${user}:${group} names its group instead of a numeric gid`, 'scratch has no /etc/group to resolve the name']
                : Number(group) === 0 ? [`USER ${user}:0 runs in group 0 (root)`, 'the process can write every root-group file'] : undefined;
      return problem === undefined ? [] : [{ line: found.ins.line, message: say(problem[0], problem[1],
        "use a literal numeric non-root uid:gid, e.g. 'USER 65532:65532'") }];
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/cgo-disabled',
    severity: 'error',
    description: 'Every go build in a stage that a scratch, distroless static or alpine final image copies from runs with CGO_ENABLED=0.',
    check: (df) => {
      const rt = runtime(df);
      if (!rt?.static) {
        return [];
      }
      return perRun(goBuilds(df, buildStages(df)), (b) => {
        const cgo = resolveGoVar(b, 'CGO_ENABLED');
        if (cgo.state === 'set' && cgo.value === '0') {
          return undefined;
        }
        const what = cgo.state === 'unset' ? 'go build runs without CGO_ENABLED=0'
          : cgo.state === 'set' ? `go build runs with CGO_ENABLED=${cgo.value === '' ? "'' (the default, on)" : cgo.value}`
            : `go build runs with CGO_ENABLED from a build argument${cgo.undeclared ? ` (${cgo.undeclared.map((n) => `$${n}`).join(', ')} undeclared)` : ''}, which cannot be shown to be 0`;
        return say(what,
          `with a C compiler present cgo is on and the binary is dynamically linked; in '${rt.image}' the kernel finds no ${/alpine/.test(rt.image) ? 'glibc ' : ''}ELF interpreter and the container dies with 'exec /app: no such file or directory'`,
          "set CGO_ENABLED=0 for the build: 'ENV CGO_ENABLED=0' in the build stage or 'CGO_ENABLED=0 go build …'");
      });
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/static-link',
    severity: 'error',
    description: 'No -buildmode=pie or -linkmode external (without -static) for binaries copied into scratch, distroless static or alpine.',
    check: (df) => {
      const rt = runtime(df);
      if (!rt?.static) {
        return [];
      }
      return perRun(goBuilds(df, buildStages(df)), (b) => {
        const goflags = resolveGoVar(b, 'GOFLAGS');
        const words = [...b.argv, ...(goflags.state === 'set' ? [goflags.value ?? ''] : [])].join(' ');
        const pie = /-buildmode[= ]pie\b/.test(words);
        const external = /-linkmode[= ]external\b/.test(words) && !/-extldflags[= ]\S*-static\b/.test(words);
        if (!pie && !external) {
          return undefined;
        }
        return say(`go build runs with ${pie ? '-buildmode=pie' : '-linkmode external'}`,
          `the binary is then dynamically linked even with CGO_ENABLED=0: it needs an ELF interpreter that '${rt.image}' does not have, and dies with 'exec /app: no such file or directory'`,
          pie ? 'drop -buildmode=pie (or use a base with a C library, and check with goship verify)' : "drop -linkmode external, or link statically with -extldflags '-static'");
      });
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/opaque-build',
    severity: 'warning',
    description: 'Build stages copied into the final image build with make or a script goship cannot see into.',
    check: (df) => {
      const visible = new Set(goBuilds(df, buildStages(df)).map((b) => b.stage.index));
      return buildStages(df).filter((s) => !visible.has(s.index)).flatMap((s) => s.instructions
        .filter((ins) => ins.keyword === 'RUN' && shellCommands(runScript(ins)).some(opaqueBuild))
        .slice(0, 1)
        .map((ins) => ({ line: ins.line, message: say(`${stageName(s)} builds with '${shellCommands(runScript(ins)).find(opaqueBuild)?.argv.join(' ')}', whose go build goship cannot see`,
          'whether it sets CGO_ENABLED=0, cross-compiles and links statically is unknown: a cgo build passes this check and fails at start',
          'run goship verify on the built image (or write the go build into the Dockerfile)') })));
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/cross-compile-target',
    severity: 'error',
    description: 'A go build in a $BUILDPLATFORM stage sets GOARCH from a declared TARGETARCH.',
    check: (df) => {
      const builds = goBuilds(df, buildStages(df)).filter((b) => runsOnBuildPlatform(df, b.stage));
      return perRun(builds, (b) => {
        const arch = resolveGoVar(b, 'GOARCH');
        const what = arch.state === 'unset' ? `go build in ${stageName(b.stage)}, which runs on $BUILDPLATFORM, sets no GOARCH`
          : arch.state === 'undeclared' ? `GOARCH uses ${arch.undeclared?.map((n) => `$${n}`).join(', ')}, which ${stageName(b.stage)} never declares with ARG, so it is empty`
            : arch.state === 'set' && arch.value === '' ? 'GOARCH is empty' : undefined;
        return what && say(what,
          'Go then builds for the build machine: an arm64 image gets an amd64 binary and dies with exec format error',
          `declare 'ARG TARGETOS TARGETARCH' in the stage and build with GOOS=$TARGETOS GOARCH=$TARGETARCH`);
      });
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/base-image-tag',
    severity: 'error',
    description: 'Base images have a tag other than latest, or a digest.',
    check: (df) => externalBases(df).flatMap(({ stage, image }) => {
      const ref = splitImage(image);
      if (ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest')) {
        return [];
      }
      return [{ line: stage.line, message: say(`${stageName(stage)} is based on '${image}', ${ref.tag === undefined ? 'untagged (latest)' : 'tagged latest'}`,
        'the same Dockerfile builds different images from one day to the next',
        `pin a version, e.g. '${ref.name}:<version>', or a digest`) }];
    }),
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/exec-form-no-shell',
    severity: 'error',
    description: 'ENTRYPOINT and CMD use exec form (JSON) when the final base has no shell (scratch, distroless).',
    check: (df) => {
      const rt = runtime(df);
      return rt?.shellless ? shellForms(df).map((ins) => ({ line: ins.line, message: say(`${ins.keyword} ${ins.args} is in shell form`,
        `shell form runs '/bin/sh -c …' and '${rt.image}' has no /bin/sh: the container fails to start`,
        `write it in exec form: ${ins.keyword} ${JSON.stringify(splitWords(ins.args))}`) })) : [];
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/exec-form',
    severity: 'warning',
    description: 'ENTRYPOINT and CMD use exec form (JSON) so the Go process is PID 1 and receives SIGTERM.',
    check: (df) => {
      const rt = runtime(df);
      return rt?.shellless ? [] : shellForms(df).map((ins) => ({ line: ins.line, message: say(`${ins.keyword} ${ins.args} is in shell form`,
        'the shell becomes PID 1 and does not pass SIGTERM on, so the service cannot drain and is killed after the grace period',
        `write it in exec form: ${ins.keyword} ${JSON.stringify(splitWords(ins.args))}`) })) ;
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/pinned-builder-image',
    severity: 'warning',
    description: 'Build stages pin their base image by digest (@sha256:…).',
    check: (df) => {
      const last = finalStage(df);
      return externalBases(df).filter(({ stage, image }) => stage !== last && splitImage(image).digest === undefined)
        .map(({ stage, image }) => ({ line: stage.line, message: say(`${stageName(stage)} uses '${image}' without a digest`,
          'a tag can be re-pushed, so the compiler that builds the release can change without any change here',
          `pin it, e.g. '${image}@sha256:…' (for a GoStaticImage: its builderImage prop)`) }));
    },
  },
  {
    target: 'dockerfile',
    id: 'dockerfile/build-platform',
    severity: 'warning',
    description: 'Build stages that run go build use FROM --platform=$BUILDPLATFORM and cross-compile.',
    check: (df) => {
      const stages = new Map<number, Stage>();
      for (const b of goBuilds(df, buildStages(df))) {
        if (!runsOnBuildPlatform(df, b.stage)) {
          stages.set(b.stage.index, b.stage);
        }
      }
      return [...stages.values()].map((s) => ({ line: s.line, message: say(`${stageName(s)} runs go build without FROM --platform=$BUILDPLATFORM`,
        'for every other target platform the whole Go toolchain runs under QEMU emulation, several times slower than cross-compiling',
        `write 'FROM --platform=$BUILDPLATFORM ${s.image}${s.name ? ` AS ${s.name}` : ''}' and build with GOOS=$TARGETOS GOARCH=$TARGETARCH`) }));
    },
  },
];

/** ENTRYPOINT and CMD of the final image that are in shell form. */
function shellForms(df: Dockerfile): Instruction[] {
  return ['ENTRYPOINT', 'CMD']
    .map((k) => lastInChain(df, k)?.ins)
    .filter((ins): ins is Instruction => ins !== undefined && ins.exec === undefined);
}

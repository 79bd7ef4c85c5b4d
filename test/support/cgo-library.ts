import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GO } from './go';

/** A real cgo binary and the shared library it needs, which no runtime base has. */
export interface CgoWithLibrary {
  /** linux/amd64, CGO_ENABLED=1; its DT_NEEDED lists {@link soname} and libc.so.6. Prints 42. */
  readonly binary: string;
  /** The folder holding the library file. */
  readonly libdir: string;
  /** `libgoshipdemo.so.1`. */
  readonly soname: string;
}

/**
 * Builds, in `dir`, a shared library with gcc (soname `libgoshipdemo.so.1`) and a Go
 * program that calls into it, as buildah needs libgpgme: the binary starts only where the
 * library is on the loader's path.
 */
export function buildCgoWithLibrary(dir: string): CgoWithLibrary {
  const soname = 'libgoshipdemo.so.1';
  // The C source stays outside the Go package: cgo would compile it into the binary.
  const csrc = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-cgo-c-'));
  try {
    fs.writeFileSync(path.join(csrc, 'demo.c'), 'int goship_demo(void) { return 42; }\n');
    execFileSync('gcc', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', path.join(dir, soname), path.join(csrc, 'demo.c')]);
  } finally {
    fs.rmSync(csrc, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/needed\n\ngo 1.19\n');
  fs.writeFileSync(path.join(dir, 'main.go'), [
    'package main', '', `// #cgo LDFLAGS: -L\${SRCDIR} -l:${soname}`, '// int goship_demo(void);', 'import "C"', '',
    'func main() { println(C.goship_demo()) }', '',
  ].join('\n'));
  const binary = path.join(dir, 'app');
  const home = process.env.HOME ?? dir;
  execFileSync(GO, ['build', '-o', binary, '.'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env, CGO_ENABLED: '1', GOOS: 'linux', GOARCH: 'amd64', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local', GOPROXY: 'off',
      GOCACHE: process.env.GOCACHE ?? path.join(home, '.cache', 'go-build'), GOPATH: process.env.GOPATH ?? path.join(home, 'go'),
    },
  });
  return { binary, libdir: dir, soname };
}

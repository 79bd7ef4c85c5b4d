import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import AdmZip from 'adm-zip';
import { GO } from '../support/go';

/** A real Go binary built against a real module dependency, and the go.sum Go wrote for it. */
export interface GoBinaryWithDeps {
  readonly binary: string;
  /** go.sum's `h1:` hash of the dependency's files. */
  readonly depSum: string;
}

const DEP = 'example.com/greet';
const DEP_VERSION = 'v1.2.0';

/**
 * Serves `example.com/greet v1.2.0` from a `file://` module proxy (the layout `GOPROXY`
 * reads: `@v/list`, `.info`, `.mod`, `.zip`), lets `go mod tidy` fetch it and write go.sum,
 * and builds a program that imports it. No network: the proxy is a folder, the checksum
 * database is off.
 */
export function goBinaryWithDeps(): GoBinaryWithDeps {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-sbom-deps-'));
  const proxy = path.join(work, 'proxy', DEP, '@v');
  fs.mkdirSync(proxy, { recursive: true });
  const goMod = `module ${DEP}\n\ngo 1.19\n`;
  fs.writeFileSync(path.join(proxy, 'list'), `${DEP_VERSION}\n`);
  fs.writeFileSync(path.join(proxy, `${DEP_VERSION}.info`), JSON.stringify({ Version: DEP_VERSION, Time: '2026-01-02T03:04:05Z' }));
  fs.writeFileSync(path.join(proxy, `${DEP_VERSION}.mod`), goMod);
  const zip = new AdmZip();
  zip.addFile(`${DEP}@${DEP_VERSION}/go.mod`, Buffer.from(goMod));
  zip.addFile(`${DEP}@${DEP_VERSION}/greet.go`, Buffer.from('package greet\n\nfunc Hello() string { return "hello" }\n'));
  zip.writeZip(path.join(proxy, `${DEP_VERSION}.zip`));

  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'go.mod'), `module example.com/app\n\ngo 1.19\n\nrequire ${DEP} ${DEP_VERSION}\n`);
  fs.writeFileSync(path.join(src, 'main.go'), `package main\n\nimport "${DEP}"\n\nfunc main() { println(greet.Hello()) }\n`);
  const env = {
    ...process.env,
    GOPROXY: `file://${path.join(work, 'proxy')}`,
    GOSUMDB: 'off',
    GOFLAGS: '-mod=mod -buildvcs=false',
    GOTOOLCHAIN: 'local',
    GOPATH: path.join(work, 'gopath'),
    GOCACHE: process.env.GOCACHE ?? path.join(os.homedir(), '.cache', 'go-build'),
    CGO_ENABLED: '0',
    GOOS: 'linux',
    GOARCH: 'amd64',
  };
  execFileSync(GO, ['mod', 'tidy'], { cwd: src, env, stdio: 'pipe' });
  const binary = path.join(work, 'app');
  execFileSync(GO, ['build', '-trimpath', '-o', binary, '.'], { cwd: src, env, stdio: 'pipe' });
  const line = fs.readFileSync(path.join(src, 'go.sum'), 'utf8').split('\n').find((l) => l.startsWith(`${DEP} ${DEP_VERSION} h1:`));
  execFileSync('chmod', ['-R', 'u+w', work]);
  return { binary, depSum: line!.split(' ')[2] };
}

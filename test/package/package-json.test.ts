import * as fs from 'fs';
import * as path from 'path';
import { ENTRY_POINTS } from '../../scripts/api-report';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const OPTIONAL_PEERS = ['@pulumi/docker', '@pulumi/docker-build', '@pulumi/kubernetes', '@pulumi/pulumi', 'cdk8s-plus-27'];

describe('package.json', () => {
  test('cdk8s and constructs are peers, so one copy of each is shared with the app', () => {
    for (const name of ['cdk8s', 'constructs']) {
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.peerDependencies[name]).toBeDefined();
      expect(pkg.peerDependenciesMeta?.[name]?.optional).not.toBe(true);
    }
  });

  test('Pulumi and cdk8s-plus-27 are optional peers: a cdk8s-only install gets none of them', () => {
    const installed = Object.keys(pkg.dependencies);
    expect(installed.filter((d) => d.startsWith('@pulumi/') || d.startsWith('cdk8s-plus'))).toEqual([]);
    for (const name of OPTIONAL_PEERS) {
      expect({ name, optional: pkg.peerDependenciesMeta?.[name]?.optional }).toEqual({ name, optional: true });
      // The tests use them, so they stay installed for development.
      expect(pkg.devDependencies[name]).toBe(pkg.peerDependencies[name]);
    }
  });

  test('every subpath of exports has a source entry point, a typesVersions entry and an API report', () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    const reported = Object.values(ENTRY_POINTS).map((d) => `./out/${d}`).sort();
    expect(subpaths.map((k) => pkg.exports[k].types).sort()).toEqual(reported);
    for (const key of subpaths) {
      const { types, default: js } = pkg.exports[key];
      expect(js).toBe(types.replace(/\.d\.ts$/, '.js'));
      expect(fs.existsSync(path.join(ROOT, types.replace(/^\.\/out\//, 'lib/').replace(/\.d\.ts$/, '.ts')))).toBe(true);
      if (key !== '.') {
        expect(pkg.typesVersions['*'][key.slice(2)]).toEqual([types.slice(2)]);
      }
    }
    for (const name of Object.keys(ENTRY_POINTS)) {
      expect(fs.existsSync(path.join(ROOT, 'api', `${name}.api.md`))).toBe(true);
    }
  });
});

import { declaresVersionVariable } from '../../lib/image/go-module';

describe('main package', () => {
  test('finds a package-level version variable, alone or in a var block', () => {
    expect(declaresVersionVariable('package main\nvar version = "dev"\n')).toBe(true);
    expect(declaresVersionVariable('package main\nvar version string\n')).toBe(true);
    expect(declaresVersionVariable('package main\nvar (\n\tcommit string\n\tversion = "dev"\n)\n')).toBe(true);
    expect(declaresVersionVariable('package main\nfunc f() { version := 1; _ = version }\n')).toBe(false);
    expect(declaresVersionVariable('package main\nvar versionInfo = 1\n')).toBe(false);
  });
});

import { Platform, ValidationError } from '../../lib';

describe('Platform', () => {
  test('named platforms render as OCI platform strings', () => {
    expect(String(Platform.LINUX_AMD64)).toBe('linux/amd64');
    expect(String(Platform.LINUX_ARM64)).toBe('linux/arm64');
    expect(String(Platform.LINUX_ARM_V7)).toBe('linux/arm/v7');
  });

  test('custom accepts every Linux target of Go, with variants', () => {
    expect(String(Platform.custom('linux/mips64le'))).toBe('linux/mips64le');
    expect(Platform.custom('linux/arm/v6').goEnv()).toEqual({ GOOS: 'linux', GOARCH: 'arm', GOARM: '6' });
    expect(Platform.custom('linux/amd64/v3').goEnv()).toEqual({ GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v3' });
  });

  test('facts describe the ELF binaries of an architecture', () => {
    expect(Platform.LINUX_ARM_V7.facts).toMatchObject({ bits: 32, endian: 'little', elfMachine: 40 });
    expect(Platform.LINUX_S390X.facts).toMatchObject({ bits: 64, endian: 'big' });
    expect(Platform.archForElf(183, 64, 'little')).toBe('arm64');
    expect(Platform.archForElf(21, 64, 'big')).toBe('ppc64');
  });

  test.each([
    ['windows/amd64', /container images run Linux, but GOOS 'windows' is not linux/],
    ['darwin/arm64', /GOOS 'darwin' is not linux/],
    ['linux/sparc', /'sparc' is not a Go architecture/],
    ['plan10/amd64', /'plan10' is not a Go target OS/],
    ['linux/arm/v9', /'v9' is not a variant of arm/],
    ['linux/386/v2', /use 'linux\/386' without a variant/],
    ['linux', /not of the form/],
    ['linux/amd64/v2/x', /not of the form/],
  ])('fails if the platform is %s', (platform, why) => {
    expect(() => Platform.custom(platform)).toThrow(ValidationError);
    expect(() => Platform.custom(platform)).toThrow(why);
    expect(() => Platform.custom(platform)).toThrow(/^platforms: /);
  });

  test('the error lists what is supported', () => {
    expect(() => Platform.custom('linux/sparc')).toThrow(/use one of linux\/386, linux\/amd64, linux\/arm, linux\/arm64/);
  });
});

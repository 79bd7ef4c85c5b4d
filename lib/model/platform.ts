import { ValidationError } from './errors';

/**
 * The Linux architectures Go can target (`go tool dist list | grep ^linux/`), with what an
 * ELF binary built for each looks like.
 */
const GO_LINUX_ARCHES: Readonly<Record<string, ArchFacts>> = {
  '386': { bits: 32, endian: 'little', elfMachine: 3 },
  amd64: { bits: 64, endian: 'little', elfMachine: 62, variants: ['v1', 'v2', 'v3', 'v4'] },
  arm: { bits: 32, endian: 'little', elfMachine: 40, variants: ['v5', 'v6', 'v7'] },
  arm64: { bits: 64, endian: 'little', elfMachine: 183, variants: ['v8'] },
  loong64: { bits: 64, endian: 'little', elfMachine: 258 },
  mips: { bits: 32, endian: 'big', elfMachine: 8 },
  mipsle: { bits: 32, endian: 'little', elfMachine: 8 },
  mips64: { bits: 64, endian: 'big', elfMachine: 8 },
  mips64le: { bits: 64, endian: 'little', elfMachine: 8 },
  ppc64: { bits: 64, endian: 'big', elfMachine: 21 },
  ppc64le: { bits: 64, endian: 'little', elfMachine: 21 },
  riscv64: { bits: 64, endian: 'little', elfMachine: 243 },
  s390x: { bits: 64, endian: 'big', elfMachine: 22 },
};

/** Operating systems Go targets that are not Linux: named in errors, never accepted. */
const GO_OTHER_OSES = [
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'illumos', 'ios', 'js', 'netbsd',
  'openbsd', 'plan9', 'solaris', 'wasip1', 'windows',
];

/** How a binary for an architecture looks on disk. */
export interface ArchFacts {
  /** ELF class: 32 or 64 bits. */
  readonly bits: 32 | 64;
  /** Byte order. */
  readonly endian: 'little' | 'big';
  /** ELF `e_machine`. */
  readonly elfMachine: number;
  /** Variants an OCI platform may name for this architecture. */
  readonly variants?: readonly string[];
}

/**
 * A container platform that Go can compile for: `linux/<GOARCH>[/<variant>]`.
 *
 * @example
 * Platform.LINUX_ARM64
 * Platform.custom('linux/arm/v7')
 */
export class Platform {
  /** `linux/amd64`. */
  public static readonly LINUX_AMD64 = new Platform('amd64');
  /** `linux/arm64`. */
  public static readonly LINUX_ARM64 = new Platform('arm64');
  /** `linux/arm/v7` (32-bit, GOARM=7). */
  public static readonly LINUX_ARM_V7 = new Platform('arm', 'v7');
  /** `linux/arm/v6` (32-bit, GOARM=6). */
  public static readonly LINUX_ARM_V6 = new Platform('arm', 'v6');
  /** `linux/386` (32-bit x86). */
  public static readonly LINUX_386 = new Platform('386');
  /** `linux/ppc64le`. */
  public static readonly LINUX_PPC64LE = new Platform('ppc64le');
  /** `linux/s390x` (big-endian). */
  public static readonly LINUX_S390X = new Platform('s390x');
  /** `linux/riscv64`. */
  public static readonly LINUX_RISCV64 = new Platform('riscv64');

  /**
   * Any Linux platform Go can target, written as an OCI platform string.
   *
   * @param platform e.g. `linux/mips64le`, `linux/arm/v7`, `linux/amd64/v3`
   * @throws ValidationError if it is not `linux/<a Go architecture>[/<variant>]`
   */
  public static custom(platform: string): Platform {
    return Platform.parse(platform);
  }

  /** Parses an OCI platform string, validating it against Go's target list. */
  public static parse(platform: string, prop = 'platforms'): Platform {
    if (typeof platform !== 'string') {
      throw ValidationError.invalid(prop, platform, 'not a platform string', "write it as 'linux/<arch>', e.g. 'linux/arm64'");
    }
    const parts = platform.split('/');
    const [os, arch, variant] = parts;
    const known = Platform.supported().join(', ');
    if (parts.length < 2 || parts.length > 3 || !os || !arch) {
      throw ValidationError.invalid(prop, platform, "not of the form 'os/arch[/variant]'", `use one of ${known}`);
    }
    if (os !== 'linux') {
      const why = GO_OTHER_OSES.includes(os)
        ? `container images run Linux, but GOOS '${os}' is not linux`
        : `'${os}' is not a Go target OS`;
      throw ValidationError.invalid(prop, platform, why, `use one of ${known}`);
    }
    const facts = GO_LINUX_ARCHES[arch];
    if (!facts) {
      throw ValidationError.invalid(prop, platform, `'${arch}' is not a Go architecture (GOARCH)`, `use one of ${known}`);
    }
    if (variant !== undefined && !(facts.variants ?? []).includes(variant)) {
      const allowed = facts.variants ? `use one of ${facts.variants.map((v) => `linux/${arch}/${v}`).join(', ')}` : `use 'linux/${arch}' without a variant`;
      throw ValidationError.invalid(prop, platform, `'${variant}' is not a variant of ${arch}`, allowed);
    }
    return new Platform(arch, variant);
  }

  /** Every `linux/<arch>` Go can build for, sorted. */
  public static supported(): string[] {
    return Object.keys(GO_LINUX_ARCHES).sort().map((a) => `linux/${a}`);
  }

  /** Finds the GOARCH whose ELF binaries have this machine, class and byte order. */
  public static archForElf(elfMachine: number, bits: 32 | 64, endian: 'little' | 'big'): string | undefined {
    return Object.keys(GO_LINUX_ARCHES).find((a) => {
      const f = GO_LINUX_ARCHES[a];
      return f.elfMachine === elfMachine && f.bits === bits && f.endian === endian;
    });
  }

  /** Always `linux`. */
  public readonly os = 'linux';

  private constructor(
    /** The GOARCH, e.g. `arm64`; also the value of the `kubernetes.io/arch` node label. */
    public readonly arch: string,
    /** The OCI variant, e.g. `v7` for `linux/arm/v7`. */
    public readonly variant?: string,
  ) {}

  /** The OCI platform string, e.g. `linux/arm/v7`. */
  public toString(): string {
    return this.variant ? `linux/${this.arch}/${this.variant}` : `linux/${this.arch}`;
  }

  /** How a binary for this platform looks on disk. */
  public get facts(): ArchFacts {
    return GO_LINUX_ARCHES[this.arch];
  }

  /** The Go environment that targets this platform: GOOS, GOARCH and GOARM/GOAMD64 for a variant. */
  public goEnv(): Record<string, string> {
    const env: Record<string, string> = { GOOS: this.os, GOARCH: this.arch };
    if (this.arch === 'arm') {
      env.GOARM = (this.variant ?? 'v7').slice(1);
    } else if (this.arch === 'amd64' && this.variant) {
      env.GOAMD64 = this.variant;
    }
    return env;
  }

  /** True when both name the same platform. */
  public equals(other: Platform): boolean {
    return this.toString() === other.toString();
  }
}

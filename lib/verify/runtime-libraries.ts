import type { VerifyRuntime } from './verify';

/**
 * The shared libraries each runtime base holds, by soname (what `DT_NEEDED` names), so that
 * a dynamic binary meant for a named base is checked without the image at hand. Loaders and
 * the C library are matched by family, since their names carry the architecture.
 */

/** glibc's own libraries (every architecture). */
const GLIBC = [
  'libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libresolv.so.2', 'libutil.so.1', 'libanl.so.1',
  'libnsl.so.1', 'libmvec.so.1', 'libBrokenLocale.so.1', 'libthread_db.so.1', 'libc_malloc_debug.so.0',
  'libnss_compat.so.2', 'libnss_dns.so.2', 'libnss_files.so.2', 'libnss_hesiod.so.2',
];

/**
 * debian:12 (bookworm), as `debootstrap --variant=minbase bookworm` lays it out: glibc, the
 * GCC runtime and libstdc++, and the libraries of apt, dpkg, util-linux and PAM.
 */
const DEBIAN_12 = [
  ...GLIBC,
  'libgcc_s.so.1', 'libstdc++.so.6', 'libz.so.1', 'libzstd.so.1', 'liblzma.so.5', 'libbz2.so.1.0', 'libbz2.so.1', 'liblz4.so.1',
  'libxxhash.so.0', 'libmd.so.0', 'libcrypt.so.1', 'libacl.so.1', 'libattr.so.1', 'libaudit.so.1', 'libcap-ng.so.0', 'libcap.so.2',
  'libpsx.so.2', 'libdrop_ambient.so.0', 'libselinux.so.1', 'libsemanage.so.2', 'libsepol.so.2', 'libpcre2-8.so.0',
  'libblkid.so.1', 'libmount.so.1', 'libsmartcols.so.1', 'libuuid.so.1', 'libcom_err.so.2', 'libe2p.so.2', 'libext2fs.so.2',
  'libss.so.2', 'libsystemd.so.0', 'libudev.so.1', 'libseccomp.so.2', 'libpam.so.0', 'libpam_misc.so.0', 'libpamc.so.0',
  'libtinfo.so.6', 'libtic.so.6', 'libgmp.so.10', 'libgnutls.so.30', 'libnettle.so.8', 'libhogweed.so.6', 'libidn2.so.0',
  'libunistring.so.2', 'libtasn1.so.6', 'libp11-kit.so.0', 'libffi.so.8', 'libgcrypt.so.20', 'libgpg-error.so.0',
  'libapt-pkg.so.6.0', 'libapt-private.so.0.0', 'libdebconfclient.so.0',
];

/** gcr.io/distroless/base-debian12: glibc and OpenSSL. */
const DISTROLESS_BASE = [...GLIBC, 'libssl.so.3', 'libcrypto.so.3'];

/** alpine 3: musl (its loader is its C library), OpenSSL and zlib. */
const ALPINE = ['libssl.so.3', 'libcrypto.so.3', 'libz.so.1'];

const LIBRARIES: Readonly<Record<VerifyRuntime, ReadonlySet<string>>> = {
  scratch: new Set(),
  distroless: new Set(),
  'distroless-base': new Set(DISTROLESS_BASE),
  debian: new Set(DEBIAN_12),
  alpine: new Set(ALPINE),
};

/** Whether a runtime base has a library, by the soname a binary's `DT_NEEDED` names. */
export function runtimeHasLibrary(runtime: VerifyRuntime, soname: string): boolean {
  if (/^ld-linux[\w.-]*\.so\.\d+$/.test(soname)) {
    return runtime === 'debian' || runtime === 'distroless-base';
  }
  if (/^(ld-musl-|libc\.musl-)[\w]+\.so\.1$/.test(soname) || soname === 'libc.so') {
    return runtime === 'alpine';
  }
  return LIBRARIES[runtime].has(soname);
}

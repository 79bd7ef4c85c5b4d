/**
 * Typed wrappers over the container tools the end-to-end tests drive: buildah (build), umoci
 * (unpack), runc (run), skopeo and docker-registry (push and read back), and Debian's Docker
 * client with BuildKit against the engine scripts/dockerd.sh starts.
 *
 * Every buildah call uses the vfs storage driver. Everything a helper starts or creates is
 * registered with a {@link Cleanup}, which the suites run in `afterAll`, so containers,
 * registries, module proxies, images and temporary folders go away even when a test fails.
 */
export * from './tools/bake';
export * from './tools/build-reuse';
export * from './tools/buildx';
export * from './tools/buildah';
export * from './tools/cleanup';
export * from './tools/docker';
export * from './tools/goproxy';
export * from './tools/goship';
export * from './tools/http';
export * from './tools/prerequisites';
export * from './tools/process';
export * from './tools/registry';
export * from './tools/runc';
export * from './tools/stand-in-bases';
export * from './tools/module-relay';
export * from './tools/pulumi';

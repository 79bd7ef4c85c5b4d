import { Platform, RuntimeBase } from '../../lib';
import { DockerfileSpec } from '../../lib/render/dockerfile';

/** The Dockerfile spec of a hello-like service: scratch, amd64, embedded zoneinfo, 65532. */
export const HELLO_DOCKERFILE_SPEC: DockerfileSpec = {
  origin: 'hello/image',
  builderImage: 'golang:1.22',
  moduleFiles: ['go.mod', 'go.sum'],
  build: { main: '.', tags: [], versionVariable: 'main.version', stripSymbols: true, ldflags: [] },
  platforms: [Platform.LINUX_AMD64],
  runtime: RuntimeBase.scratch(),
  timeZoneData: 'embedded',
  uid: 65532,
  gid: 65532,
  port: 8080,
  version: '1a2b3c4',
  revision: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
  source: 'https://github.com/acme/hello',
};

import { renderBakeFile } from '../../lib/render/bake';

describe('renderBakeFile', () => {
  test('one sorted target per image and a default group', () => {
    const target = (name: string) => ({
      name, context: `services/${name}`, dockerfile: `../../dist/images/${name}/Dockerfile`, platforms: ['linux/amd64', 'linux/arm64'],
      tags: [`ghcr.io/acme/${name}:1a2b3c4`], labels: { 'org.opencontainers.image.version': '1a2b3c4' }, args: { VERSION: '1a2b3c4' },
    });
    const bake = JSON.parse(renderBakeFile([target('web'), target('api')]));
    expect(bake.group.default.targets).toEqual(['api', 'web']);
    expect(bake.target.api).toEqual({
      args: { VERSION: '1a2b3c4' },
      context: 'services/api',
      dockerfile: '../../dist/images/api/Dockerfile',
      labels: { 'org.opencontainers.image.version': '1a2b3c4' },
      platforms: ['linux/amd64', 'linux/arm64'],
      tags: ['ghcr.io/acme/api:1a2b3c4'],
    });
  });

  test('secret files as id and source, never the content; ssh ids as they are', () => {
    const bake = JSON.parse(renderBakeFile([{
      name: 'api', context: '.', dockerfile: 'Dockerfile', platforms: ['linux/amd64'], tags: ['api:v1'], labels: {}, args: {},
      secrets: [{ id: 'netrc', env: 'GOSHIP_SECRET_NETRC' }, { id: 'gitconfig', src: 'secrets/gitconfig' }],
      ssh: ['default'],
    }]));
    expect(bake.target.api.secret).toEqual(['id=netrc,env=GOSHIP_SECRET_NETRC', 'id=gitconfig,src=secrets/gitconfig']);
    expect(bake.target.api.ssh).toEqual(['default']);
  });
});

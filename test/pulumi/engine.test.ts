import { GoshipDeployment } from '../../lib/pulumi';
import { webFixture } from './fixture';

// No pulumi.runtime.setMocks here: this file runs the component as `node program.ts` would,
// with no Pulumi engine around it.
describe('GoshipDeployment without a Pulumi engine', () => {
  test.each([
    ['building the images', {}],
    ['with prebuilt images', { prebuilt: true }],
  ])('fails if no engine runs the program (%s), naming the cause and what to install', (_, extra) => {
    const fixture = webFixture();
    expect(() => new GoshipDeployment('web', { app: fixture.app, ...extra }))
      .toThrow("GoshipDeployment 'web': no Pulumi engine is running this program, so nothing can be built, looked up or deployed — run the program with the Pulumi CLI (`pulumi preview` or `pulumi up`");
    expect(() => new GoshipDeployment('web2', { app: webFixture().app, ...extra })).not.toThrow(/invoke|digest: undefined|push it first/);
  });
});

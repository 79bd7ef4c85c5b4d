import { validateManifests } from './validate';

describe('validateManifests', () => {
  test('accepts a valid ConfigMap', () => {
    expect(validateManifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { A: 'b' } }])).toEqual([]);
  });
  test('reports a wrong type', () => {
    expect(validateManifests([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { replicas: 'two', selector: {}, template: {} } }])).toEqual(['Deployment/a/spec/replicas: must be integer']);
  });
  test('reports an unknown field', () => {
    expect(validateManifests([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { selector: {}, template: {}, strategy: { rollingUpdate: { maxSurg: 1 } } } }])).toEqual(["Deployment/a/spec/strategy/rollingUpdate: unknown field 'maxSurg'"]);
  });
  test('reports an unknown kind', () => {
    expect(validateManifests([{ apiVersion: 'v1', kind: 'Nope', metadata: { name: 'a' } }])).toEqual(['Nope/a: v1 Nope is not a Kubernetes 1.27 kind']);
  });
  test('accepts a valid GRPCRoute and reports a Gateway API object without a required field', () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'a' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 's', port: 80 }] }] } };
    const broken = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'b' }, spec: { parentRefs: [{ nam: 'gw' }] } };
    expect(validateManifests([route])).toEqual([]);
    expect(validateManifests([route, broken])).toEqual(['HTTPRoute/b/spec/parentRefs/0: must have required property name']);
  });
});

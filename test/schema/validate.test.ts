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
});

// Validates Gateway API objects (JSON array on stdin) with @kubernetes-models/gateway-api,
// which is an ES module; validate.ts runs this in a child process. Prints one JSON array of
// problem lines.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const o of objects) {
  const where = `${o.kind}/${o.metadata?.name}`;
  const version = String(o.apiVersion).split('/')[1];
  let Model;
  try {
    Model = (await import(`@kubernetes-models/gateway-api/gateway.networking.k8s.io/${version}/${o.kind}`))[o.kind];
  } catch {
    problems.push(`${where}: ${o.apiVersion} ${o.kind} is not a Gateway API kind`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    const errors = e.errors ?? [{ instancePath: '', message: e.message }];
    for (const err of errors) {
      problems.push(`${where}${err.instancePath ?? ''}: ${err.message ?? err.keyword}`);
    }
  }
}
process.stdout.write(JSON.stringify(problems));

/**
 * A module proxy relay on 127.0.0.1, run as its own process by the bake bench (whose builds
 * block its event loop): it forwards every GOPROXY request to the upstream given as argument
 * (the first URL of the host's `go env GOPROXY`, read at run time) and writes its port to the
 * file given second. Builds on the host network reach it over plain HTTP, without the
 * upstream's certificates.
 *
 *   node -r ts-node/register/transpile-only bench/module-relay.ts <upstream> <port file>
 */
import * as fs from 'fs';
import * as http from 'http';
import { relayTo } from '../test/e2e/tools/module-relay';

const [upstream, portFile] = process.argv.slice(2);
const server = http.createServer(relayTo(new URL(upstream)));
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String((server.address() as { port: number }).port));
});

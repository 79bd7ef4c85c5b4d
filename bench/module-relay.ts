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
import * as https from 'https';

const [upstreamArg, portFile] = process.argv.slice(2);
const upstream = new URL(upstreamArg);
const client = upstream.protocol === 'https:' ? https : http;
const server = http.createServer((req, res) => {
  const forward = client.request({
    protocol: upstream.protocol, host: upstream.hostname, port: upstream.port || undefined,
    path: `${upstream.pathname.replace(/\/$/, '')}${req.url ?? '/'}`, method: req.method, headers: { 'user-agent': req.headers['user-agent'] ?? 'goship-bench' },
  }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' });
    answer.pipe(res);
  });
  forward.on('error', (e) => {
    res.writeHead(502);
    res.end(`relay: ${e.message}`);
  });
  forward.end();
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String((server.address() as { port: number }).port));
});

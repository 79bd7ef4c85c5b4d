/**
 * The go command the tests run on the host, the same whatever PATH says: `GOSHIP_GO` when set,
 * else the machine's `/usr/local/go/bin/go` (Go 1.26 here), else the first `go` on PATH.
 * Builds inside images use the builder images' own Go instead (scripts/e2e-setup.sh).
 */
import * as fs from 'fs';

export const GO = process.env.GOSHIP_GO ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go');

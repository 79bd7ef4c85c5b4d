#!/usr/bin/env node
'use strict';
// The goship command. A built package runs out/cli/main.js; a source checkout without a
// build runs lib/cli/main.ts through ts-node (transpile only), so `npx goship` works in both.
const fs = require('fs');
const path = require('path');

const built = path.join(__dirname, '..', 'out', 'cli', 'main.js');
let cli;
if (fs.existsSync(built)) {
  cli = require(built);
} else {
  try {
    require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
  } catch (e) {
    process.stderr.write(`goship: ${built} is missing and ts-node is not installed: run 'npm run build' first\n`);
    process.exit(1);
  }
  cli = require(path.join(__dirname, '..', 'lib', 'cli', 'main.ts'));
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`goship: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);

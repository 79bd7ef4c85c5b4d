/**
 * One fast-check seed for every property test, so CI runs exactly the cases a developer ran;
 * `GOSHIP_FC_SEED=<n>` explores others (a failure prints the seed to reproduce it).
 */
import * as fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.GOSHIP_FC_SEED ?? 20261207) });

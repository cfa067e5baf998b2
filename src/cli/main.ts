#!/usr/bin/env node
// The edgeinfer command line: one subcommand per file, errors printed without stack traces.

import { Command } from 'commander';
import { EdgeError } from '../errors.js';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerInspect } from './inspect.js';
import { registerQuantize } from './quantize.js';
import { registerRun } from './run.js';
import { registerVerify } from './verify.js';

const program = new Command();
program
  .name('edgeinfer')
  .description('Real-time AI inference at the edge, in TypeScript: load, run, verify and inspect ONNX models.')
  .version('0.1.0')
  .showHelpAfterError();

registerInspect(program);
registerRun(program);
registerVerify(program);
registerQuantize(program);
registerDemo(program);
registerBench(program);

function report(err: unknown): never {
  if (err instanceof EdgeError) {
    process.stderr.write(`edgeinfer: error [${err.code}]: ${err.message}\n`);
  } else {
    process.stderr.write(`edgeinfer: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.EDGEINFER_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  }
  process.exit(2);
}

// A closed pipe (`edgeinfer inspect m.onnx | head`) ends the output quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

program.parseAsync(process.argv).catch(report);

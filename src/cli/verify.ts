// `edgeinfer verify <dir>...`: runs ONNX test cases and compares with their expected outputs.

import fs from 'node:fs';
import type { Command } from 'commander';
import { EdgeError } from '../errors.js';
import { findCases, runCase, type CaseResult } from '../verify/cases.js';
import { parseNumber, printTable, progress } from './output.js';

interface VerifyOptions {
  json?: boolean;
  rtol?: string;
  atol?: string;
  skipList?: string;
  backend: string;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('run every ONNX test case (model.onnx + test_data_set_*) below the given folders and compare with the expected outputs')
    .argument('<dir...>', 'folders to search for test cases')
    .option('--json', 'print one JSON object instead of a table')
    .option('--rtol <r>', 'relative tolerance for float outputs (default 1e-3, or the case metadata.json tolerance)')
    .option('--atol <a>', 'absolute tolerance for float outputs (default 1e-5, or the case metadata.json tolerance)')
    .option('--backend <list>', 'backends to run every case on, comma-separated: wasm, ref', 'wasm')
    .option('--skip-list <file>', 'JSON object {case: reason} of cases to skip, each with its justification')
    .addHelpText('after', '\nExit code 1 when any case fails. Integer and boolean outputs must match exactly.')
    .action(async (dirs: string[], opts: VerifyOptions) => {
      const override = { rtol: parseNumber(opts.rtol, '--rtol'), atol: parseNumber(opts.atol, '--atol') };
      const skips = readSkipList(opts.skipList);
      const backends = parseBackends(opts.backend);
      const cases = findCases(dirs);
      if (cases.length === 0) throw new EdgeError('MODEL_NOT_FOUND', `no test cases (folders with model.onnx) found under ${dirs.join(', ')}`);
      const results: CaseResult[] = [];
      const bar = progress(cases.length * backends.length, 'verify', !opts.json);
      for (const backend of backends) {
        for (const dir of cases) {
          const base = dir.split(/[\\/]/).pop()!;
          const name = backends.length > 1 ? `${base} [${backend}]` : base;
          bar.tick(name);
          const skip = skips.get(base);
          const result = skip
            ? { case: base, path: dir, status: 'skipped' as const, reason: `skip list: ${skip}`, dataSets: 0 }
            : await runCase(dir, { rtol: 1e-3, atol: 1e-5 }, override, { backend });
          results.push({ ...result, case: name });
        }
      }
      bar.done();
      const count = (s: string) => results.filter((r) => r.status === s).length;
      const summary = { total: results.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
      if (opts.json) {
        const out = results.map(({ case: c, status, reason, maxAbsError }) => ({ case: c, status, ...(reason ? { reason } : {}), ...(maxAbsError !== undefined ? { maxAbsError } : {}) }));
        process.stdout.write(JSON.stringify({ ...summary, cases: out }, null, 2) + '\n');
      } else {
        printTable(
          ['case', 'status', 'max abs error', 'reason'],
          results.map((r) => [r.case, r.status, r.maxAbsError === undefined ? '' : r.maxAbsError.toExponential(2), r.reason ?? '']),
        );
        const pct = ((100 * summary.passed) / Math.max(1, summary.total - summary.skipped)).toFixed(1);
        process.stdout.write(`\n${summary.total} cases, ${pct}% of those run passed\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
      }
      if (summary.failed > 0) process.exitCode = 1;
    });
}

function readSkipList(file: string | undefined): Map<string, string> {
  if (!file) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EdgeError('INPUT_INVALID', `--skip-list '${file}': ${(err as Error).message}`, { cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EdgeError('INPUT_INVALID', `--skip-list '${file}': expected a JSON object {case: reason}`);
  return new Map(Object.entries(parsed as Record<string, unknown>).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, String(v)]));
}

function parseBackends(text: string): ('wasm' | 'ref')[] {
  const list = text.split(',').map((s) => s.trim());
  for (const b of list) if (b !== 'wasm' && b !== 'ref') throw new EdgeError('INPUT_INVALID', `--backend: unknown backend '${b}'; available: wasm, ref`);
  return list as ('wasm' | 'ref')[];
}

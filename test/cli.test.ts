// The command line as a user meets it: help, inspect, run, verify, and clean errors with non-zero exits.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');
const MODEL_DIR = path.join(ROOT, 'models', 'resnet8');
const MODEL = path.join(MODEL_DIR, 'model.onnx');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('edgeinfer CLI', () => {
  it('lists its commands, each with help', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['inspect', 'run', 'verify', 'demo']) expect(r.stdout).toContain(c);
    const h = cli('verify', '--help');
    expect(h.stdout).toMatch(/--rtol/);
  });

  it('inspects a model', () => {
    const r = cli('inspect', MODEL, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 3, 32, 32] }]);
    expect(s.parameters).toBe(77706); // ONNX initializer elements (BatchNorm folded by the exporter)
    expect(s.macsPerSample).toBe(12501632);
    expect(s.ops.Conv).toBeGreaterThan(0);
  });

  it('runs a model on a given .pb input and on random inputs', () => {
    const r = cli('run', MODEL, '--input', `input=${path.join(MODEL_DIR, 'test_data_set_0', 'input_0.pb')}`, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outputs[0].dims).toEqual([1, 10]);
    const rand = cli('run', MODEL, '--batch', '2', '--json');
    expect(JSON.parse(rand.stdout).outputs[0].dims).toEqual([2, 10]);
  });

  it('verifies a test case folder', () => {
    const r = cli('verify', MODEL_DIR, '--json');
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ total: 1, passed: 1, failed: 0, skipped: 0 });
    expect(v.cases[0].status).toBe('passed');
  });

  it('quantizes with a latency check that times every quantized op against its float form', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-q-')), 'int8.onnx');
    const r = cli('quantize', MODEL, '-o', out, '--calibration', path.join(MODEL_DIR, 'calibration.npy'), '--limit', '8', '--check', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.sizeRatio).toBeLessThan(0.3);
    expect(s.check.ops.length).toBeGreaterThan(5); // every Conv became an integer op
    expect(s.check.fp32Ms).toBeGreaterThan(0);
    expect(s.check.int8Ms).toBeGreaterThan(0);
    // Whatever was kept in float was found slower in int8 on this machine.
    for (const node of s.check.keptInFloat) expect(s.check.ops.find((o: { node: string }) => o.node === node)).toBeDefined();
    expect(fs.statSync(out).size).toBe(s.bytesAfter);
  });

  it('fails hostile files with a clear error, a non-zero exit and no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-cli-'));
    const files: Record<string, Uint8Array | string> = {
      'empty.onnx': new Uint8Array(),
      'text.onnx': 'hello, I am not a model\n',
      'truncated.onnx': fs.readFileSync(MODEL).subarray(0, 5000),
    };
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), content);
      for (const cmd of ['inspect', 'run']) {
        const r = cli(cmd, path.join(dir, name));
        expect(r.code, `${cmd} ${name}`).not.toBe(0);
        expect(r.stderr).toMatch(/^edgeinfer: error \[[A-Z_]+\]: /);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
    const missing = cli('inspect', path.join(dir, 'nope.onnx'));
    expect(missing.stderr).toMatch(/MODEL_NOT_FOUND/);
  });
});

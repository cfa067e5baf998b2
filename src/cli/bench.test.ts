// `edgeinfer bench` as a user meets it: JSON for one and several models, the HTML report, clean errors.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const RESNET8 = path.join(ROOT, 'models', 'resnet8', 'model.onnx');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'bench', ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('edgeinfer bench', () => {
  it('prints one BenchResult object with --json, and writes the HTML report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-bench-'));
    const html = path.join(dir, 'out.html');
    const r = cli(RESNET8, '--duration', '0.3', '--json', '--device', 'cortex-a72', '--report', html);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Array.isArray(result)).toBe(false);
    expect(result).toMatchObject({ model: RESNET8, scenario: 'single-stream', batch: 1, threads: 1, backend: 'wasm' });
    expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99);
    expect(result.energy).toMatchObject({ source: 'estimated', device: 'cortex-a72' });
    expect(fs.readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  }, 30_000);

  it('runs several models interleaved: an array in JSON, ratios against the first in the table', () => {
    const json = cli(RESNET8, RESNET8, '--duration', '0.2', '--json');
    expect(json.code, json.stderr).toBe(0);
    const results = JSON.parse(json.stdout);
    expect(results).toHaveLength(2);
    const table = cli(RESNET8, RESNET8, '--duration', '0.2', '--scenario', 'multi-stream', '--samples-per-query', '2', '--interval-ms', '10');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/compared with the first model/);
    expect(table.stdout).toMatch(/multi-stream: \d+ queries of 2 samples every 10 ms/);
  }, 60_000);

  it('fails with a clear message on bad flags', () => {
    const a = cli(RESNET8, '--scenario', 'burst');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/INPUT_INVALID.*--scenario must be one of single-stream/);
    const b = cli(RESNET8, '--scenario', 'server');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/target QPS/);
    const c = cli(RESNET8, '--device', 'toaster');
    expect(c.stderr).toMatch(/unknown device 'toaster'; known: .*cortex-m7/);
  }, 30_000);
});

// A session dropped without release() still gives its kernel memory back once it is garbage-collected: measured in
// a child process (test/gc-probe.ts) started with --expose-gc.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');

describe('sessions dropped without release', () => {
  it('give back their packed weights and plans when collected', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'test', 'gc-probe.ts'), path.join(ROOT, 'models', 'resnet8', 'model.onnx')], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const { held, after } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { held: number; after: number };
    expect(held).toBeGreaterThan(1024 * 1024); // a ResNet-8 session holds its weights and arena
    expect(after).toBe(0);
  });
});

// A steady-state run on the wasm backend allocates nothing on the JS heap beyond the output tensors it
// returns: measured in a child process (no GC during the measurement), on models of 2 and 14 nodes.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { Tensor } from '../src/tensor/tensor.js';
import { makeModel, node } from './helpers/build.js';
import fs from 'node:fs';
import os from 'node:os';

const ROOT = path.join(__dirname, '..');

function probe(model: string): { bytesPerRun: number; outputBytesPerRun: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=256', '--import', 'tsx', path.join(ROOT, 'test', 'alloc-probe.ts'), model], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('steady-state allocation', () => {
  it('allocates no more per run than the outputs it returns, whatever the number of nodes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-alloc-'));
    const tiny = path.join(dir, 'tiny.onnx');
    fs.writeFileSync(
      tiny,
      writeOnnx(
        makeModel({
          inputs: [['x', 'float32', [1, 10]]],
          outputs: [['y', 'float32']],
          nodes: [node('Gemm', ['x', 'w', 'b'], ['h'], { transB: { type: 'int', value: 1 } }), node('Relu', ['h'], ['y'])],
          initializers: { w: Tensor.zeros('float32', [10, 10]), b: Tensor.zeros('float32', [10]) },
        }),
      ),
    );
    for (const model of [tiny, path.join(ROOT, 'models', 'resnet8', 'model.onnx')]) {
      const { bytesPerRun, outputBytesPerRun } = probe(model);
      // Slack for the result bookkeeping of one run (the record of outputs, fetch flags): a constant,
      // not per node: a per-node allocation on the 14-node ResNet-8 would exceed it.
      expect(bytesPerRun, `${path.basename(model)}: ${bytesPerRun} bytes/run vs outputs ${outputBytesPerRun}`).toBeLessThan(outputBytesPerRun + 768);
    }
  });
});

// f32_softmax_lastaxis_x4 and f32_layernorm_lastaxis_x4 against the reference Softmax and LayerNormalization
// (last axis), on row lengths around the 4-wide step, large logits and -inf masks.

import { afterEach, beforeAll, describe, it } from 'vitest';
import { loadWasmKernels, type WasmKernels } from './module.js';
import { TEST_VARIANTS, download, expectClose, f32Tensor, randomFloats, reference, upload } from './test-helpers.js';

const SHAPES: [number, number][] = [[1, 1], [1, 3], [2, 4], [3, 5], [4, 8], [2, 31], [5, 64], [1, 1000], [7, 10]];

describe.each(TEST_VARIANTS)('normalization kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('f32_softmax_lastaxis_x4 matches the reference Softmax (axis -1), scaled logits and -inf masks', () => {
    SHAPES.forEach(([rows, cols], si) => {
      for (const scale of [1, 30]) {
        const x = randomFloats(rows * cols, si * 2 + scale).map((v) => v * scale);
        if (cols > 2) x[1] = -Infinity; // an attention mask entry
        const ref = reference('Softmax', [f32Tensor(x, [rows, cols])], { axis: -1 }, 13);
        const py = k.alloc(rows * cols * 4);
        k.fn.f32_softmax_lastaxis_x4(upload(k, x), py, rows, cols);
        expectClose(download(k, py, rows * cols), ref.data as Float32Array, `${k.kernelName('f32_softmax_lastaxis_x4')} rows=${rows} cols=${cols} (cols%4=${cols % 4}) scale=${scale}`);
        k.reset();
      }
    });
  });

  it('f32_softmax_lastaxis_x4 works in place', () => {
    const x = randomFloats(3 * 13, 5);
    const ref = reference('Softmax', [f32Tensor(x, [3, 13])], { axis: -1 }, 13);
    const px = upload(k, x);
    k.fn.f32_softmax_lastaxis_x4(px, px, 3, 13);
    expectClose(download(k, px, 3 * 13), ref.data as Float32Array, 'in-place softmax');
  });

  it('f32_layernorm_lastaxis_x4 matches the reference LayerNormalization (axis -1), with and without bias', () => {
    SHAPES.forEach(([rows, cols], si) => {
      for (const withBias of [true, false]) {
        // An offset and a spread so the mean and the variance both matter.
        const x = randomFloats(rows * cols, si + 50).map((v) => 3 + 2 * v);
        const gamma = randomFloats(cols, si + 60);
        const beta = randomFloats(cols, si + 70);
        const eps = 1e-5;
        const ref = reference(
          'LayerNormalization',
          [f32Tensor(x, [rows, cols]), f32Tensor(gamma, [cols]), withBias ? f32Tensor(beta, [cols]) : undefined],
          { axis: -1, epsilon: eps },
        );
        const py = k.alloc(rows * cols * 4);
        k.fn.f32_layernorm_lastaxis_x4(upload(k, x), py, rows, cols, upload(k, gamma), withBias ? upload(k, beta) : 0, eps);
        expectClose(download(k, py, rows * cols), ref.data as Float32Array, `${k.kernelName('f32_layernorm_lastaxis_x4')} rows=${rows} cols=${cols} (cols%4=${cols % 4}) bias=${withBias}`);
        k.reset();
      }
    });
  });
});

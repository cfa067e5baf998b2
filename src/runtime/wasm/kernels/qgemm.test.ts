// The int8 GEMM (qs8_gemm_n8k2b) through its glue against the reference QGemmFixed, bit for bit: one row (a matrix-
// vector product) and several, remainders of the 4-row and 8/16-column tiles, odd K, batched a, int8 and uint8.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qfusedOps } from '../../../kernels/ref/qfused.js';
import { loadWasmKernels, type WasmKernels } from '../../../kernels/wasm/module.js';
import { TEST_VARIANTS } from '../../../kernels/wasm/test-helpers.js';
import { seededRandom } from '../../../tensor/random.js';
import { Tensor } from '../../../tensor/tensor.js';
import { prepareQGemm } from './qgemm.js';
import { expectSame, qnode, randomQ, randomScales, runGlue } from './qtesting.js';

const REF = qfusedOps['edgeinfer.QGemmFixed']!;

function gemmCase(k: WasmKernels, aDims: number[], n: number, seed: number, uint8 = false, wZero = false, shares = 1) {
  const rand = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const [qmin, qmax] = uint8 ? [0, 255] : [-128, 127];
  const K = aDims[aDims.length - 1]!;
  const a = randomQ(uint8 ? 'uint8' : 'int8', aDims, seed);
  const w = randomQ('int8', [K, n], seed + 1, -100, 100);
  const bias = rand() < 0.8 ? randomQ('int32', [n], seed + 2, -30000, 30000) : undefined;
  const attrs = {
    a_zero_point: int(qmin, qmax),
    w_zero_point: Array.from({ length: n }, () => (wZero ? int(-20, 20) : 0)),
    scale: randomScales(n, rand),
    y_zero_point: int(qmin, qmax),
  };
  const inputs = [a, w, bias];
  return runGlue(k, prepareQGemm, REF, qnode('QGemmFixed', attrs, inputs), inputs, [1, 2], 13, shares);
}

describe.each(TEST_VARIANTS)('int8 GEMM kernel, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('equals the reference QGemmFixed bit for bit (M 1..9, N and K with remainders, batched a)', () => {
    const rand = seededRandom(5);
    const r = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const shapes: [number[], number][] = [
      [[1, 64], 10], // ResNet-8's classifier
      [[1, 1280], 37], // a MobileNet-like matrix-vector product, N % 16 != 0
      [[1, 3], 1],
      [[4, 16], 16],
      [[2, 3, 7], 9], // MatMul [B, M, K]
      ...Array.from({ length: 30 }, (): [number[], number] => [[r(1, 9), r(1, 40)], r(1, 40)]),
    ];
    shapes.forEach(([aDims, n], i) => {
      const uint8 = i % 3 === 2;
      const wZero = i % 5 === 4;
      const run = gemmCase(k, aDims, n, 300 + i, uint8, wZero);
      const what = `a=[${aDims}] N=${n} ${uint8 ? 'uint8' : 'int8'} wZero=${wZero}`;
      expect(run.kernel, what).toBe(`qs8_gemm_n8k2b__${variant}`);
      expectSame(run, what);
      // Cut into 3 thread shares of column panels (a remainder panel included): the same bytes.
      expectSame(gemmCase(k, aDims, n, 300 + i, uint8, wZero, 3), `${what}, 3 shares`);
    });
  });

  it('QGemmToFloat equals the reference bit for bit (float32 output, per-column scales)', () => {
    const rand = seededRandom(9);
    const r = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let i = 0; i < 12; i++) {
      const [m, kk, n] = [r(1, 6), r(1, 70), r(1, 40)];
      const a = randomQ(i % 2 ? 'uint8' : 'int8', [m, kk], 500 + i);
      const w = randomQ('int8', [kk, n], 600 + i, -100, 100);
      const bias = randomQ('int32', [n], 700 + i, -30000, 30000);
      const attrs = { a_zero_point: i % 2 ? 128 : -3, scale: Array.from({ length: n }, () => Math.fround(1e-4 * (1 + rand()))) };
      const node = qnode('QGemmToFloat', {}, [a, w, bias]);
      node.attrs = new Map([
        ['a_zero_point', { type: 'int', value: attrs.a_zero_point }],
        ['scale', { type: 'floats', value: attrs.scale }],
      ]);
      const run = runGlue(k, prepareQGemm, qfusedOps['edgeinfer.QGemmToFloat']!, node, [a, w, bias], [1, 2]);
      expect(run.kernel).toBe(`qs8_gemm_n8k2b__${variant}`);
      expectSame(run, `QGemmToFloat a=[${m},${kk}] N=${n}`);
      const cut = runGlue(k, prepareQGemm, qfusedOps['edgeinfer.QGemmToFloat']!, node, [a, w, bias], [1, 2], 13, 2);
      expectSame(cut, `QGemmToFloat a=[${m},${kk}] N=${n}, 2 shares`);
    }
  });

  it('declines weights whose centred values do not fit int8 (the reference kernel runs them)', () => {
    const a = randomQ('int8', [1, 4], 1);
    const w = Tensor.fromNumbers('int8', [127, 0, 0, 0], [4, 1]);
    const node = qnode('QGemmFixed', { w_zero_point: [-10], scale: Float32Array.of(0.125) }, [a, w]);
    expect(runGlue(k, prepareQGemm, REF, node, [a, w], [1]).kernel).toBeUndefined();
  });
});

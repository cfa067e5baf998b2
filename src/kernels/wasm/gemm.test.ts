// f32_gemm_4x8 (B packed n8 from [K,N] or [N,K]) and f32_gemm_pa_4x8 (A packed gm4, B streamed) against a
// plain loop, on shapes with every remainder of the 4x8 tile, with each bias mode and activation.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../tensor/random.js';
import { BIAS, type Activation } from './codes.js';
import { loadWasmKernels, type WasmKernels } from './module.js';
import { TEST_ACTIVATIONS, TEST_VARIANTS, activate, download, expectClose, randInt, randomFloats, upload } from './test-helpers.js';

interface Case {
  m: number;
  n: number;
  k: number;
}

// Every M % 4 and N % 8 remainder appears, with K from 1 to past an L2 block of A rows.
const FIXED: Case[] = [
  { m: 1, n: 1, k: 1 },
  { m: 4, n: 8, k: 1 },
  { m: 5, n: 9, k: 3 },
  { m: 3, n: 7, k: 17 },
  { m: 2, n: 12, k: 5 },
  { m: 7, n: 15, k: 8 },
  { m: 13, n: 30, k: 33 },
  { m: 16, n: 64, k: 64 },
  { m: 17, n: 100, k: 257 },
  { m: 9, n: 6, k: 300 },
  { m: 37, n: 10, k: 2100 }, // A rows in blocks of 28 (the L2 block of f32_gemm_4x8 at this K)
  { m: 70, n: 49, k: 600 }, // 7x7 map: 6 column blocks and 1 remainder column
  { m: 45, n: 11, k: 3000 }, // f32_gemm_pa_4x8: three blocks of weight panels, each with its remainder columns
  { m: 1, n: 53, k: 40 }, // one row: 24-column row tiles, 5 left
  { m: 2, n: 19, k: 33 }, // two rows: 16-column row tiles
];

function cases(seed: number, count: number): Case[] {
  const rand = seededRandom(seed);
  const random = Array.from({ length: count }, () => ({ m: randInt(rand, 1, 40), n: randInt(rand, 1, 40), k: randInt(rand, 1, 70) }));
  return [...FIXED, ...random];
}

/**
 * C = act(alpha * A·B + bias) with A [M,K], B [K,N] (or [N,K] when transB), in float64, and per element the
 * sum of |terms| (the scale of float32 rounding in a K-long sum).
 */
function plainGemm(
  c: Case, a: Float32Array, b: Float32Array, transB: boolean, alpha: number, bias: Float32Array | undefined, biasMode: number, act: Activation,
): { expected: Float32Array; magnitude: Float64Array } {
  const expected = new Float32Array(c.m * c.n);
  const magnitude = new Float64Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      let sAbs = 0;
      for (let kk = 0; kk < c.k; kk++) {
        const t = a[i * c.k + kk]! * (transB ? b[j * c.k + kk]! : b[kk * c.n + j]!);
        s += t;
        sAbs += Math.abs(t);
      }
      s *= alpha;
      sAbs *= Math.abs(alpha);
      const bv = !bias ? 0 : biasMode === BIAS.row ? bias[i]! : biasMode === BIAS.col ? bias[j]! : 0;
      expected[i * c.n + j] = activate(s + bv, act);
      magnitude[i * c.n + j] = sAbs + Math.abs(bv);
    }
  }
  return { expected, magnitude };
}

const tile = (c: Case) => `tile 4x8, M%4=${c.m % 4} N%8=${c.n % 8}`;

describe.each(TEST_VARIANTS)('GEMM kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('f32_gemm_4x8 matches a plain loop (B packed from [K,N] and [N,K], every bias mode and activation)', () => {
    cases(11, 12).forEach((c, ci) => {
      const transB = ci % 2 === 1;
      const biasMode = [BIAS.none, BIAS.row, BIAS.col][ci % 3]!;
      const { name: actName, act } = TEST_ACTIVATIONS[ci % TEST_ACTIVATIONS.length]!;
      const alpha = ci % 4 === 3 ? 0.5 : 1;
      const a = randomFloats(c.m * c.k, ci * 3 + 1);
      const b = randomFloats(c.k * c.n, ci * 3 + 2);
      const bias = randomFloats(biasMode === BIAS.col ? c.n : c.m, ci * 3 + 3);
      const pa = upload(k, a);
      const pb = upload(k, b);
      const pbias = upload(k, bias);
      const packed = k.alloc(k.fn.f32_pack_n8_bytes(c.k, c.n));
      if (transB) k.fn.f32_pack_n8__nk(packed, pb, c.k, c.n, c.k, alpha);
      else k.fn.f32_pack_n8__kn(packed, pb, c.k, c.n, c.n, alpha);
      const pc = k.alloc(c.m * c.n * 4);
      k.fn.f32_gemm_4x8(c.m, c.n, c.k, pa, c.k, packed, pc, c.n, biasMode === BIAS.none ? 0 : pbias, biasMode, act.code, act.p0, act.p1);
      const { expected, magnitude } = plainGemm(c, a, b, transB, alpha, bias, biasMode, act);
      const what = `${k.kernelName('f32_gemm_4x8')} M=${c.m} N=${c.n} K=${c.k} ${tile(c)} transB=${transB} alpha=${alpha} bias=${biasMode} act=${actName}`;
      expectClose(download(k, pc, c.m * c.n), expected, what, magnitude);
      k.reset();
    });
  });

  it('f32_gemm_4x8 writes only its M x N window of a wider C (ldc > N, lda > K)', () => {
    const c = { m: 6, n: 11, k: 9 };
    const lda = 13;
    const ldc = 20;
    const a = randomFloats(c.m * lda, 5);
    const b = randomFloats(c.k * c.n, 6);
    const pa = upload(k, a);
    const packed = k.alloc(k.fn.f32_pack_n8_bytes(c.k, c.n));
    k.fn.f32_pack_n8__kn(packed, upload(k, b), c.k, c.n, c.n, 1);
    const sentinel = new Float32Array(c.m * ldc).fill(7);
    const pc = upload(k, sentinel);
    k.fn.f32_gemm_4x8(c.m, c.n, c.k, pa, lda, packed, pc, ldc, 0, BIAS.none, 0, 0, 0);
    const out = download(k, pc, c.m * ldc);
    const dense = new Float32Array(c.m * c.k);
    for (let i = 0; i < c.m; i++) for (let kk = 0; kk < c.k; kk++) dense[i * c.k + kk] = a[i * lda + kk]!;
    const { expected } = plainGemm(c, dense, b, false, 1, undefined, BIAS.none, TEST_ACTIVATIONS[0]!.act);
    for (let i = 0; i < c.m; i++) {
      expectClose(out.subarray(i * ldc, i * ldc + c.n), expected.subarray(i * c.n, (i + 1) * c.n), `row ${i} of a strided C`);
      expect(Array.from(out.subarray(i * ldc + c.n, (i + 1) * ldc))).toEqual(new Array(ldc - c.n).fill(7));
    }
  });

  it('f32_gemm_pa_4x8 matches a plain loop (weights packed gm4, B rows read in place, row bias)', () => {
    cases(23, 12).forEach((c, ci) => {
      const withBias = ci % 2 === 0;
      const { name: actName, act } = TEST_ACTIVATIONS[(ci + 3) % TEST_ACTIVATIONS.length]!;
      const ldb = c.n + (ci % 3); // B rows may be wider than N (a window of a larger matrix)
      const a = randomFloats(c.m * c.k, ci * 5 + 1);
      const bWide = randomFloats(c.k * ldb, ci * 5 + 2);
      const b = new Float32Array(c.k * c.n);
      for (let kk = 0; kk < c.k; kk++) for (let j = 0; j < c.n; j++) b[kk * c.n + j] = bWide[kk * ldb + j]!;
      const bias = randomFloats(c.m, ci * 5 + 3);
      const packed = k.alloc(k.fn.f32_pack_gm4_bytes(c.m, c.k, 1));
      k.fn.f32_pack_gm4__mk(packed, upload(k, a), c.m, c.k, 1);
      const pb = upload(k, bWide);
      const pc = k.alloc(c.m * c.n * 4);
      k.fn.f32_gemm_pa_4x8(c.m, c.n, c.k, packed, pb, ldb, pc, c.n, withBias ? upload(k, bias) : 0, act.code, act.p0, act.p1);
      const { expected, magnitude } = plainGemm(c, a, b, false, 1, withBias ? bias : undefined, BIAS.row, act);
      const what = `${k.kernelName('f32_gemm_pa_4x8')} M=${c.m} N=${c.n} K=${c.k} ldb=${ldb} ${tile(c)} bias=${withBias} act=${actName}`;
      expectClose(download(k, pc, c.m * c.n), expected, what, magnitude);
      k.reset();
    });
  });
});

// The int8 convolution kernels (qs8_conv2d_m4tc2, qs8_conv2d_m4k2, qs8_conv3x3_wino2x2, qs8_dwconv2d_3x3, qs8_dwconv2d_dwk2) through their glue against
// the reference QLinearConvFixed, bit for bit: 1x1, k x k, groups, strides, pads, dilations, tile remainders, uint8.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qfusedOps } from '../../../kernels/ref/qfused.js';
import { loadWasmKernels, type WasmKernels } from '../../../kernels/wasm/module.js';
import { TEST_VARIANTS } from '../../../kernels/wasm/test-helpers.js';
import { seededRandom } from '../../../tensor/random.js';
import { prepareQConv } from './qconv.js';
import { expectSame, qnode, randomQ, randomScales, runGlue } from './qtesting.js';

interface QConvCase {
  n?: number;
  c: number;
  h: number;
  w: number;
  m: number;
  group?: number;
  k: [number, number];
  s?: [number, number];
  d?: [number, number];
  pads?: [number, number, number, number];
  uint8?: boolean;
  bias?: boolean;
  /** Non-zero per-channel weight zero points. */
  wZero?: boolean;
}

const CASES: QConvCase[] = [
  { c: 8, h: 6, w: 7, m: 5, k: [1, 1] }, // 1x1 read in place
  { c: 16, h: 9, w: 9, m: 16, k: [1, 1], s: [2, 2] }, // ResNet shortcut
  { c: 3, h: 12, w: 10, m: 8, k: [3, 3], pads: [1, 1, 1, 1], uint8: true },
  { c: 4, h: 11, w: 13, m: 6, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], wZero: true },
  { n: 2, c: 6, h: 9, w: 8, m: 9, k: [3, 3], group: 3, pads: [1, 1, 1, 1] },
  { c: 4, h: 10, w: 10, m: 4, k: [3, 3], group: 2, d: [2, 2], pads: [2, 2, 2, 2], bias: false },
  { c: 2, h: 8, w: 11, m: 3, k: [5, 3], s: [1, 2], pads: [2, 0, 1, 1], uint8: true, wZero: true },
  { c: 1, h: 49, w: 10, m: 7, k: [10, 4], s: [2, 2], pads: [4, 1, 5, 2] }, // DS-CNN's first layer, odd K
  { c: 64, h: 16, w: 16, m: 8, k: [3, 3], pads: [1, 1, 1, 1] }, // 32 channel pairs
  { c: 3, h: 5, w: 5, m: 2, k: [5, 5] }, // one output pixel
  // Winograd F(2x2, 3x3): odd output sizes (a half tile), tile columns not a multiple of 8, odd C and M, uint8.
  { c: 16, h: 32, w: 32, m: 16, k: [3, 3], pads: [1, 1, 1, 1] }, // ResNet-8's stage 1
  { c: 17, h: 7, w: 13, m: 19, k: [3, 3], pads: [1, 1, 1, 1], uint8: true, wZero: true },
  { n: 2, c: 16, h: 9, w: 6, m: 16, k: [3, 3], pads: [0, 2, 1, 0] },
  { c: 20, h: 3, w: 3, m: 16, k: [3, 3] }, // one output
  { c: 8, h: 9, w: 10, m: 8, k: [3, 3], pads: [1, 1, 1, 1] }, // too few channels: direct
  { c: 33, h: 20, w: 18, m: 17, k: [3, 3], pads: [1, 1, 1, 1], bias: false },
  { c: 2, h: 9, w: 30, m: 5, k: [2, 5], s: [2, 3], d: [2, 3], pads: [1, 2, 0, 3] }, // stride 3: scalar pairing
  { c: 5, h: 6, w: 6, m: 9, k: [1, 1] }, // 1x1 on one run of 36 pixels, odd C
  // im2col index pairs (one channel, or three at a stride): rows with pads on both sides, odd K, uint8.
  { c: 1, h: 13, w: 27, m: 6, k: [3, 3], pads: [1, 1, 1, 1], uint8: true },
  { c: 3, h: 17, w: 35, m: 9, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], wZero: true },
  { c: 3, h: 12, w: 30, m: 5, k: [3, 2], s: [2, 1], d: [2, 3], pads: [2, 0, 1, 3], bias: false },
  { n: 2, c: 1, h: 9, w: 20, m: 4, k: [2, 7], s: [1, 2], pads: [0, 3, 1, 2], uint8: true, wZero: true },
  // Depthwise (group == C == M).
  { c: 4, h: 12, w: 19, m: 4, group: 4, k: [3, 3], pads: [1, 1, 1, 1] },
  { c: 3, h: 13, w: 21, m: 3, group: 3, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], uint8: true },
  { c: 2, h: 16, w: 16, m: 2, group: 2, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1], wZero: true },
  { n: 2, c: 3, h: 9, w: 37, m: 3, group: 3, k: [5, 5], pads: [2, 2, 2, 2] },
  { c: 2, h: 10, w: 23, m: 2, group: 2, k: [3, 3], d: [2, 2], pads: [2, 2, 2, 2], bias: false },
  { c: 2, h: 11, w: 29, m: 2, group: 2, k: [3, 3], s: [3, 3], pads: [1, 1, 1, 1] },
  { c: 3, h: 7, w: 40, m: 3, group: 3, k: [1, 7], s: [1, 2], pads: [0, 3, 0, 3] },
  { c: 11, h: 3, w: 3, m: 11, group: 11, k: [3, 3], pads: [1, 1, 1, 1] },
  // Depthwise 3x3 from the zero-point-padded plane: DS-CNN (5 columns), MobileNet rows of 7..112 columns, stride 2 with
  // odd and even sizes, uneven and zero pads, rows wider than 16 bytes with a remainder, uint8, weight zero points.
  { c: 5, h: 25, w: 5, m: 5, group: 5, k: [3, 3], pads: [1, 1, 1, 1] },
  { c: 3, h: 7, w: 7, m: 3, group: 3, k: [3, 3], pads: [1, 1, 1, 1], wZero: true },
  { c: 2, h: 14, w: 14, m: 2, group: 2, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1] },
  { c: 2, h: 15, w: 15, m: 2, group: 2, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], uint8: true },
  { c: 3, h: 20, w: 37, m: 3, group: 3, k: [3, 3], pads: [1, 1, 1, 1], uint8: true, wZero: true },
  { n: 2, c: 2, h: 9, w: 33, m: 2, group: 2, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], bias: false },
  { c: 2, h: 6, w: 18, m: 2, group: 2, k: [3, 3], pads: [0, 2, 2, 0] },
  { c: 1, h: 3, w: 3, m: 1, group: 1, k: [3, 3] },
  // Rows narrower than the 8-output group (7x7, 3x3 maps, many channels, odd rows: the call's last rows go through the
  // shadow), rows just past a group (the last group overlaps the one before), exactly 8, no pads.
  { c: 37, h: 7, w: 7, m: 37, group: 37, k: [3, 3], pads: [1, 1, 1, 1], uint8: true },
  { n: 2, c: 9, h: 3, w: 3, m: 9, group: 9, k: [3, 3], pads: [1, 1, 1, 1], wZero: true },
  { c: 13, h: 14, w: 14, m: 13, group: 13, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1], uint8: true },
  { n: 3, c: 5, h: 4, w: 6, m: 5, group: 5, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], uint8: true },
  { c: 6, h: 2, w: 1, m: 6, group: 6, k: [3, 3], pads: [1, 1, 1, 1] },
  { c: 7, h: 17, w: 17, m: 7, group: 7, k: [3, 3], pads: [1, 1, 1, 1], bias: false },
  { c: 5, h: 9, w: 20, m: 5, group: 5, k: [3, 3], s: [2, 2], pads: [1, 1, 0, 0] },
  { c: 3, h: 8, w: 10, m: 3, group: 3, k: [3, 3], uint8: true },
  // Stride 2, rows ending 1-4 outputs past a multiple of 8: a last group of 4.
  { c: 6, h: 24, w: 24, m: 6, group: 6, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], uint8: true },
  { n: 2, c: 5, h: 20, w: 19, m: 5, group: 5, k: [3, 3], s: [2, 2], pads: [0, 1, 0, 1], wZero: true },
];

function randomCase(rand: () => number): QConvCase {
  const r = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const kh = r(1, 4);
  const kw = r(1, 4);
  const d: [number, number] = [r(1, 2), r(1, 2)];
  if (rand() < 0.3) {
    const c = r(1, 9);
    return { c, m: c, group: c, h: (kh - 1) * d[0] + r(1, 14), w: (kw - 1) * d[1] + r(1, 20), k: [kh, kw], s: [r(1, 2), r(1, 3)], d, pads: [r(0, kh - 1), r(0, kw - 1), r(0, kh - 1), r(0, kw - 1)], uint8: rand() < 0.3 };
  }
  const group = [1, 1, 2, 3][r(0, 3)]!;
  return {
    n: r(1, 2),
    c: group * r(1, 7),
    m: group * r(1, 9),
    group,
    h: (kh - 1) * d[0] + r(1, 12),
    w: (kw - 1) * d[1] + r(1, 14),
    k: [kh, kw],
    s: [r(1, 3), r(1, 3)],
    d,
    pads: [r(0, kh - 1), r(0, kw - 1), r(0, kh - 1), r(0, kw - 1)],
    uint8: rand() < 0.3,
    bias: rand() < 0.8,
    wZero: rand() < 0.2,
  };
}

function run(k: WasmKernels, c: QConvCase, seed: number, shares = 1) {
  const rand = seededRandom(seed);
  const group = c.group ?? 1;
  const dtype = c.uint8 ? 'uint8' : 'int8';
  const [qmin, qmax] = c.uint8 ? [0, 255] : [-128, 127];
  const x = randomQ(dtype, [c.n ?? 1, c.c, c.h, c.w], seed);
  const w = randomQ('int8', [c.m, c.c / group, ...c.k], seed + 1, -127, 127);
  const bias = c.bias === false ? undefined : randomQ('int32', [c.m], seed + 2, -20000, 20000);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const attrs = {
    kernel_shape: c.k,
    strides: c.s ?? [1, 1],
    dilations: c.d ?? [1, 1],
    pads: c.pads ?? [0, 0, 0, 0],
    group,
    x_zero_point: int(qmin, qmax),
    w_zero_point: Array.from({ length: c.m }, () => (c.wZero ? int(-30, 30) : 0)),
    scale: randomScales(c.m, rand),
    y_zero_point: int(qmin, qmax),
    output_min: int(qmin, qmin + 30),
    output_max: int(qmax - 30, qmax),
  };
  const inputs = [x, w, bias];
  return runGlue(k, prepareQConv, qfusedOps['edgeinfer.QLinearConvFixed']!, qnode('QLinearConvFixed', attrs, inputs), inputs, [1, 2], 13, shares);
}

/** The kernel the glue picks: depthwise, Winograd (3x3, stride 1, one group, >= 16 channels each side), or direct. */
function kernelFor(c: QConvCase): string {
  if ((c.group ?? 1) === c.c && c.c === c.m) {
    const s = c.s ?? [1, 1];
    const dw3x3 = c.k[0] === 3 && c.k[1] === 3 && s[0] === s[1] && s[0] <= 2 && (c.d ?? [1, 1]).every((d) => d === 1);
    return dw3x3 ? 'qs8_dwconv2d_3x3' : 'qs8_dwconv2d_dwk2';
  }
  const one = (v?: number[]) => !v || v.every((d) => d === 1);
  const wino = c.k[0] === 3 && c.k[1] === 3 && one(c.s) && one(c.d) && (c.group ?? 1) === 1 && c.c >= 16 && c.m >= 16;
  if (wino) return 'qs8_conv3x3_wino2x2';
  const cg = c.c / (c.group ?? 1);
  const strided = (c.s ?? [1, 1])[0]! * (c.s ?? [1, 1])[1]! > 1;
  return (c.group ?? 1) === 1 && c.k[0] * c.k[1] > 1 && (cg === 1 || (cg === 3 && strided)) ? 'qs8_conv2d_m4k2' : 'qs8_conv2d_m4tc2';
}

const describeCase = (c: QConvCase) =>
  `x=[${c.n ?? 1},${c.c},${c.h},${c.w}] m=${c.m} group=${c.group ?? 1} k=${c.k} s=${c.s ?? [1, 1]} d=${c.d ?? [1, 1]} pads=${c.pads ?? [0, 0, 0, 0]} ` +
  `${c.uint8 ? 'uint8' : 'int8'} bias=${c.bias !== false} wZero=${!!c.wZero}`;

describe.each(TEST_VARIANTS)('int8 Conv kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('equal the reference QLinearConvFixed bit for bit on listed and random geometries', () => {
    const rand = seededRandom(11);
    const all = [...CASES, ...Array.from({ length: 40 }, () => randomCase(rand))];
    all.forEach((c, i) => {
      const r = run(k, c, 1000 + 7 * i);
      expect(r.kernel, describeCase(c)).toBe(`${kernelFor(c)}__${variant}`);
      expectSame(r, describeCase(c));
    });
  });

  it('give the same bytes cut into 3 thread shares (batch rows, or blocks of 4 output channels with a remainder)', () => {
    const rand = seededRandom(13);
    const all = [...CASES, ...Array.from({ length: 40 }, () => randomCase(rand))];
    let cut = 0;
    all.forEach((c, i) => {
      const r = run(k, c, 1000 + 7 * i, 3);
      expectSame(r, `${describeCase(c)}, 3 shares`);
      if (r.units! > 1) cut++;
    });
    expect(cut).toBeGreaterThan(all.length / 2);
  });

  it('runs a 3x3 convolution whose Winograd sums could overflow int32 on the direct kernel instead', () => {
    // |g| = 255 everywhere (w = 127, w_zero_point = -128) and x_zero_point = -128: the bound passes 2^31 from C = 129.
    const x = randomQ('int8', [1, 130, 4, 4], 3);
    const w = randomQ('int8', [8, 130, 3, 3], 4, 127, 127);
    const attrs = { kernel_shape: [3, 3], pads: [1, 1, 1, 1], x_zero_point: -128, w_zero_point: new Array<number>(8).fill(-128), scale: Float32Array.of(2 ** -21) };
    const node = qnode('QLinearConvFixed', attrs, [x, w]);
    const r = runGlue(k, prepareQConv, qfusedOps['edgeinfer.QLinearConvFixed']!, node, [x, w], [1]);
    expect(r.kernel).toBe(`qs8_conv2d_m4tc2__${variant}`);
    expectSame(r, 'C=130 with extreme weights');
  });

  it('declines 1-D convolutions and weights that are not constants', () => {
    const x = randomQ('int8', [1, 2, 9], 1);
    const w = randomQ('int8', [3, 2, 3], 2);
    const attrs = { kernel_shape: [3], scale: Float32Array.of(2 ** -9) };
    const node = qnode('QLinearConvFixed', attrs, [x, w]);
    expect(runGlue(k, prepareQConv, qfusedOps['edgeinfer.QLinearConvFixed']!, node, [x, w], [1]).kernel).toBeUndefined();
    const x2 = randomQ('int8', [1, 2, 5, 5], 1);
    const w2 = randomQ('int8', [3, 2, 3, 3], 2);
    const node2 = qnode('QLinearConvFixed', { ...attrs, kernel_shape: [3, 3] }, [x2, w2]);
    expect(runGlue(k, prepareQConv, qfusedOps['edgeinfer.QLinearConvFixed']!, node2, [x2, w2], []).kernel).toBeUndefined();
  });
});

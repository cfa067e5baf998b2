// f32_conv2d_4x8 (1x1 direct, im2col in chunks, groups), f32_conv2d_direct_4x8 (phase-split padded input, no im2col)
// and f32_dwconv2d_x8 against the reference Conv, on random geometries (strides, pads, dilations, remainders of the
// 4x8 tile and of the 8/4-wide depthwise rows).

import { afterEach, beforeAll, describe, it } from 'vitest';
import { seededRandom } from '../../tensor/random.js';
import { NO_ACTIVATION, type Activation } from './codes.js';
import { loadWasmKernels, type WasmKernels } from './module.js';
import {
  TEST_ACTIVATIONS,
  TEST_VARIANTS,
  activate,
  download,
  expectClose,
  f32Tensor,
  randInt,
  randomFloats,
  reference,
  upload,
} from './test-helpers.js';

interface ConvCase {
  n: number;
  c: number;
  h: number;
  w: number;
  m: number;
  group: number;
  k: [number, number];
  s: [number, number];
  d: [number, number];
  /** top, left, bottom, right (ONNX pads order for 2-D: y_begin, x_begin, y_end, x_end). */
  pads: [number, number, number, number];
  bias: boolean;
  act: { name: string; act: Activation };
}

const NONE = { name: 'none', act: NO_ACTIVATION };
const act = (i: number) => TEST_ACTIVATIONS[i % TEST_ACTIVATIONS.length]!;

function conv(p: Partial<ConvCase> & Pick<ConvCase, 'c' | 'h' | 'w' | 'm' | 'k'>): ConvCase {
  return { n: 1, group: 1, s: [1, 1], d: [1, 1], pads: [0, 0, 0, 0], bias: true, act: NONE, ...p };
}

const GENERAL: ConvCase[] = [
  conv({ c: 8, h: 6, w: 7, m: 5, k: [1, 1] }), // 1x1: GEMM straight on the input
  conv({ c: 3, h: 9, w: 9, m: 16, k: [1, 1], s: [2, 2], act: act(1) }), // 1x1 stride 2 (ResNet shortcut)
  conv({ c: 3, h: 12, w: 10, m: 8, k: [3, 3], pads: [1, 1, 1, 1], act: act(2) }),
  conv({ c: 4, h: 11, w: 13, m: 6, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(3) }),
  conv({ n: 2, c: 6, h: 9, w: 8, m: 9, k: [3, 3], group: 3, pads: [1, 1, 1, 1], act: act(4) }),
  conv({ c: 4, h: 10, w: 10, m: 4, k: [3, 3], group: 2, d: [2, 2], pads: [2, 2, 2, 2], act: act(5) }),
  conv({ c: 2, h: 8, w: 11, m: 3, k: [5, 3], s: [1, 2], pads: [2, 0, 1, 1], bias: false, act: act(6) }),
  conv({ c: 1, h: 49, w: 10, m: 7, k: [10, 4], s: [2, 2], pads: [4, 1, 5, 2], act: act(1) }), // DS-CNN's first layer
  conv({ c: 64, h: 16, w: 16, m: 8, k: [3, 3], pads: [1, 1, 1, 1], act: act(1) }), // K=576: several im2col chunks
  conv({ c: 16, h: 7, w: 7, m: 17, k: [1, 1], act: act(7) }),
  conv({ c: 3, h: 5, w: 5, m: 2, k: [5, 5] }), // one output pixel
  conv({ c: 3, h: 32, w: 32, m: 16, k: [3, 3], pads: [1, 1, 1, 1], act: act(1) }), // ResNet-8 stem
  conv({ c: 5, h: 17, w: 19, m: 7, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(2) }), // stride 2, ow % 8 != 0
  conv({ n: 2, c: 6, h: 12, w: 21, m: 10, k: [3, 3], group: 2, s: [1, 3], pads: [0, 1, 2, 1], act: act(3) }),
  conv({ c: 2, h: 9, w: 30, m: 5, k: [2, 5], s: [2, 2], d: [2, 3], pads: [1, 2, 0, 3], act: act(4) }),
  conv({ c: 4, h: 11, w: 16, m: 4, k: [1, 1], s: [2, 2], act: act(5) }), // 1x1 stride 2 with ow = 8
  // 1x1 on a multiple of 512 pixels (small K): input packed in column chunks (one, several, the last partial).
  conv({ c: 8, h: 16, w: 32, m: 13, k: [1, 1], act: act(2) }),
  conv({ c: 16, h: 32, w: 32, m: 22, k: [1, 1], act: act(1) }),
  conv({ n: 2, c: 24, h: 32, w: 48, m: 18, group: 2, k: [1, 1], act: act(3) }),
  conv({ c: 32, h: 16, w: 32, m: 10, k: [1, 1], bias: false, act: act(4) }),
  conv({ c: 3, h: 64, w: 8, m: 5, k: [1, 1], act: act(6) }),
  conv({ c: 8, h: 33, w: 35, m: 13, k: [1, 1], act: act(2) }), // 1155 pixels: read in place
];

function randomConv(rand: () => number, i: number): ConvCase {
  const group = [1, 1, 2, 3][randInt(rand, 0, 3)]!;
  const kh = randInt(rand, 1, 4);
  const kw = randInt(rand, 1, 4);
  const d: [number, number] = [randInt(rand, 1, 2), randInt(rand, 1, 2)];
  const pads: [number, number, number, number] = [randInt(rand, 0, kh - 1), randInt(rand, 0, kw - 1), randInt(rand, 0, kh - 1), randInt(rand, 0, kw - 1)];
  return conv({
    n: randInt(rand, 1, 2),
    c: group * randInt(rand, 1, 5),
    h: (kh - 1) * d[0] + randInt(rand, 1, 12),
    w: (kw - 1) * d[1] + randInt(rand, 1, 12),
    m: group * randInt(rand, 1, 7),
    group,
    k: [kh, kw],
    s: [randInt(rand, 1, 3), randInt(rand, 1, 3)],
    d,
    pads,
    bias: rand() < 0.7,
    act: act(i),
  });
}

function depthwise(p: Partial<ConvCase> & Pick<ConvCase, 'c' | 'h' | 'w' | 'k'>): ConvCase {
  return conv({ ...p, m: p.c, group: p.c });
}

const DEPTHWISE: ConvCase[] = [
  depthwise({ c: 4, h: 12, w: 19, k: [3, 3], pads: [1, 1, 1, 1], act: act(2) }), // MobileNet, stride 1
  depthwise({ c: 3, h: 13, w: 21, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(2) }), // stride 2
  depthwise({ c: 2, h: 16, w: 16, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1] }), // SAME_UPPER-style pads
  depthwise({ n: 2, c: 3, h: 9, w: 37, k: [5, 5], pads: [2, 2, 2, 2], act: act(3) }),
  depthwise({ c: 2, h: 10, w: 23, k: [3, 3], d: [2, 2], pads: [2, 2, 2, 2], act: act(4) }),
  depthwise({ c: 2, h: 11, w: 29, k: [3, 3], s: [3, 3], pads: [1, 1, 1, 1], act: act(5) }), // stride 3: lane loads
  depthwise({ c: 5, h: 25, w: 5, k: [3, 3], pads: [1, 1, 1, 1], bias: false }), // DS-CNN widths
  depthwise({ c: 1, h: 3, w: 1, k: [3, 1], pads: [1, 0, 1, 0] }),
  depthwise({ c: 2, h: 9, w: 12, k: [3, 3], s: [2, 2] }), // no padding: reads the input in place
  depthwise({ c: 2, h: 6, w: 6, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(1) }), // 3x3 s2 with 3 output columns
  depthwise({ c: 3, h: 7, w: 40, k: [1, 7], s: [1, 2], pads: [0, 3, 0, 3], act: act(6) }),
  depthwise({ c: 11, h: 3, w: 3, k: [3, 3], pads: [1, 1, 1, 1], act: act(2) }), // MobileNet's last 3x3 maps, C % 4 = 3
  depthwise({ c: 6, h: 14, w: 14, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1], act: act(7) }),
];

interface Prepared {
  x: Float32Array;
  wt: Float32Array;
  bias: Float32Array;
  expected: Float32Array;
  oh: number;
  ow: number;
}

function prepare(c: ConvCase, seed: number): Prepared {
  const x = randomFloats(c.n * c.c * c.h * c.w, seed);
  const wt = randomFloats(c.m * (c.c / c.group) * c.k[0] * c.k[1], seed + 1);
  const bias = randomFloats(c.m, seed + 2);
  const ref = reference(
    'Conv',
    [f32Tensor(x, [c.n, c.c, c.h, c.w]), f32Tensor(wt, [c.m, c.c / c.group, ...c.k]), c.bias ? f32Tensor(bias, [c.m]) : undefined],
    { group: c.group, kernel_shape: c.k, strides: c.s, dilations: c.d, pads: c.pads },
  );
  const expected = Float32Array.from(ref.data as Float32Array, (v) => activate(v, c.act.act));
  return { x, wt, bias, expected, oh: ref.dims[2]!, ow: ref.dims[3]! };
}

/** Per output, the sum of |x * w| over its window plus |bias|: the scale of float32 rounding in the result. */
function windowMagnitude(c: ConvCase, p: Prepared): Float64Array {
  const absX = f32Tensor(Float32Array.from(p.x, Math.abs), [c.n, c.c, c.h, c.w]);
  const absW = f32Tensor(Float32Array.from(p.wt, Math.abs), [c.m, c.c / c.group, ...c.k]);
  const absB = f32Tensor(Float32Array.from(p.bias, Math.abs), [c.m]);
  const ref = reference('Conv', [absX, absW, c.bias ? absB : undefined], { group: c.group, kernel_shape: c.k, strides: c.s, dilations: c.d, pads: c.pads });
  return Float64Array.from(ref.data as Float32Array);
}

const describeCase = (name: string, c: ConvCase, p: Prepared, tile: string) =>
  `${name} x=[${c.n},${c.c},${c.h},${c.w}] w=[${c.m},${c.c / c.group},${c.k}] group=${c.group} strides=${c.s} dilations=${c.d} ` +
  `pads=${c.pads} out=${p.oh}x${p.ow} bias=${c.bias} act=${c.act.name} ${tile}`;

describe.each(TEST_VARIANTS)('Conv kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  const GEMM_CONV = ['f32_conv2d_4x8', 'f32_conv2d_direct_4x8'] as const;
  it.each(GEMM_CONV)('%s matches the reference Conv (1x1, k x k, groups, strides, pads, dilations)', (kernel) => {
    const rand = seededRandom(7);
    const wide = (i: number) => ({ ...randomConv(rand, i), w: 8 + randInt(rand, 0, 30), s: [randInt(rand, 1, 2), 1] as [number, number] });
    const all = [...GENERAL, ...Array.from({ length: 24 }, (_, i) => randomConv(rand, i)), ...Array.from({ length: 12 }, (_, i) => wide(i))];
    all.forEach((c, ci) => {
      const p = prepare(c, 100 + ci * 3);
      const cg = c.c / c.group;
      const kg = cg * c.k[0] * c.k[1];
      const packed = k.alloc(k.fn.f32_pack_gm4_bytes(c.m, kg, c.group));
      k.fn.f32_pack_gm4__mk(packed, upload(k, p.wt), c.m, kg, c.group);
      const scratchBytes =
        kernel === 'f32_conv2d_4x8'
          ? k.fn.f32_conv2d_scratch_bytes(cg, c.h, c.w, c.k[0], c.k[1], c.s[0], c.s[1], c.pads[0], c.pads[1], p.oh, p.ow)
          : k.fn.f32_conv2d_direct_scratch_bytes(cg, c.h, c.w, ...c.k, ...c.s, ...c.d, c.pads[0], c.pads[1], p.oh, p.ow);
      const scratch = k.alloc(scratchBytes);
      const px = upload(k, p.x);
      const pb = c.bias ? upload(k, p.bias) : 0;
      const py = k.alloc(p.expected.length * 4);
      const { code, p0, p1 } = c.act.act;
      k.fn[kernel](px, py, packed, pb, scratch, c.n, c.c, c.h, c.w, c.m, c.group, ...c.k, ...c.s, ...c.d, c.pads[0], c.pads[1], p.oh, p.ow, code, p0, p1);
      const tile = `tile 4x8, M/G%4=${(c.m / c.group) % 4} OHW%8=${(p.oh * p.ow) % 8} OW%8=${p.ow % 8} scratch=${scratchBytes}B`;
      expectClose(download(k, py, p.expected.length), p.expected, describeCase(k.kernelName(kernel), c, p, tile));
      k.reset();
    });
  });

  it('f32_conv2d_4x8 on 1x1 shares of 4-channel blocks (as convShare cuts them) gives the whole Conv', () => {
    // Packed input (pixels a multiple of 512) and in place; each share has its own scratch, weights at (m0/4)*K*16.
    const cases = [conv({ c: 8, h: 32, w: 32, m: 22, k: [1, 1], act: act(1) }), conv({ c: 12, h: 9, w: 13, m: 10, k: [1, 1], act: act(2) })];
    cases.forEach((c, ci) => {
      const p = prepare(c, 900 + ci * 3);
      const ohw = p.oh * p.ow;
      const packed = k.alloc(k.fn.f32_pack_gm4_bytes(c.m, c.c, 1));
      k.fn.f32_pack_gm4__mk(packed, upload(k, p.wt), c.m, c.c, 1);
      const px = upload(k, p.x);
      const pb = upload(k, p.bias);
      const py = k.alloc(p.expected.length * 4);
      const { code, p0, p1 } = c.act.act;
      for (const [m0, m1] of [[0, 8], [8, 12], [12, c.m]] as const) {
        const scratch = k.alloc(k.fn.f32_conv2d_scratch_bytes(c.c, c.h, c.w, 1, 1, 1, 1, 0, 0, p.oh, p.ow));
        const weights = packed + (m0 / 4) * c.c * 16;
        k.fn.f32_conv2d_4x8(px, py + m0 * ohw * 4, weights, pb + m0 * 4, scratch, 1, c.c, c.h, c.w, m1 - m0, 1, 1, 1, 1, 1, 1, 1, 0, 0, p.oh, p.ow, code, p0, p1);
      }
      expectClose(download(k, py, p.expected.length), p.expected, describeCase(k.kernelName('f32_conv2d_4x8'), c, p, 'shares 0-8, 8-12, 12-M'));
      k.reset();
    });
  });

  it('f32_conv3x3_wino2x2_4x8 matches the reference Conv (3x3 stride 1: every pad, odd sizes, several tile-row blocks)', () => {
    const rand = seededRandom(9);
    const fixed: ConvCase[] = [
      conv({ c: 16, h: 32, w: 32, m: 16, k: [3, 3], pads: [1, 1, 1, 1], act: act(1) }), // ResNet-8 stage 1
      conv({ c: 64, h: 8, w: 8, m: 64, k: [3, 3], pads: [1, 1, 1, 1] }), // ResNet-8 stage 3
      conv({ n: 2, c: 3, h: 7, w: 5, m: 5, k: [3, 3], pads: [1, 1, 1, 1], act: act(2) }), // odd output: partial tiles
      conv({ c: 2, h: 9, w: 13, m: 3, k: [3, 3], act: act(3) }), // no padding
      conv({ c: 4, h: 6, w: 11, m: 9, k: [3, 3], pads: [0, 2, 2, 0], act: act(4), bias: false }), // asymmetric pads
      conv({ c: 1, h: 3, w: 3, m: 1, k: [3, 3] }), // one output pixel
      conv({ c: 40, h: 40, w: 30, m: 20, k: [3, 3], pads: [1, 1, 1, 1], act: act(5) }), // three blocks of tile rows
    ];
    const random = Array.from({ length: 16 }, (_, i) =>
      conv({
        n: randInt(rand, 1, 2),
        c: randInt(rand, 1, 20),
        h: randInt(rand, 3, 20),
        w: randInt(rand, 3, 30),
        m: randInt(rand, 1, 13),
        k: [3, 3],
        pads: [randInt(rand, 0, 2), randInt(rand, 0, 2), randInt(rand, 0, 2), randInt(rand, 0, 2)],
        bias: rand() < 0.7,
        act: act(i),
      }),
    );
    [...fixed, ...random].forEach((c, ci) => {
      const p = prepare(c, 300 + ci * 3);
      const packed = k.alloc(k.fn.f32_pack_wino2x2_bytes(c.m, c.c));
      k.fn.f32_pack_wino2x2__mk(packed, upload(k, p.wt), c.m, c.c);
      const scratchBytes = k.fn.f32_conv3x3_wino2x2_scratch_bytes(c.c, c.m, p.oh, p.ow);
      const scratch = k.alloc(scratchBytes);
      const px = upload(k, p.x);
      const pb = c.bias ? upload(k, p.bias) : 0;
      const py = k.alloc(p.expected.length * 4);
      const { code, p0, p1 } = c.act.act;
      k.fn.f32_conv3x3_wino2x2_4x8(px, py, packed, pb, scratch, c.n, c.c, c.h, c.w, c.m, c.m, c.pads[0], c.pads[1], p.oh, p.ow, code, p0, p1);
      const tile = `Winograd F(2x2,3x3), OH%2=${p.oh % 2} OW%8=${p.ow % 8} M%4=${c.m % 4} scratch=${scratchBytes}B`;
      expectClose(download(k, py, p.expected.length), p.expected, describeCase(k.kernelName('f32_conv3x3_wino2x2_4x8'), c, p, tile), windowMagnitude(c, p));
      k.reset();
    });
  });

  it('f32_dwconv2d_3x3_x4 matches the reference Conv (3x3 depthwise, strides 1 and 2, pads 0 and 1, both edges)', () => {
    const rand = seededRandom(10);
    const fixed: ConvCase[] = [
      depthwise({ c: 3, h: 56, w: 56, k: [3, 3], pads: [1, 1, 1, 1], act: act(2) }), // MobileNet stride 1
      depthwise({ c: 3, h: 112, w: 112, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(2) }), // stride 2, even input
      depthwise({ c: 2, h: 15, w: 15, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(3) }), // odd input: right edge copy
      depthwise({ c: 2, h: 14, w: 14, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1], act: act(4) }), // SAME_UPPER
      depthwise({ n: 2, c: 3, h: 9, w: 13, k: [3, 3], act: act(5) }), // no padding
      depthwise({ c: 2, h: 6, w: 8, k: [3, 3], pads: [1, 1, 1, 1], bias: false }), // ow = 8: a left and a right edge group
      depthwise({ c: 3, h: 25, w: 5, k: [3, 3], pads: [1, 1, 1, 1], act: act(1) }), // DS-CNN: the two edge groups overlap
      depthwise({ c: 2, h: 7, w: 7, k: [3, 3], pads: [1, 1, 1, 1], act: act(2) }), // MobileNet 7x7
      depthwise({ c: 2, h: 9, w: 9, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], act: act(2) }), // stride 2, ow = 5
    ];
    const random = Array.from({ length: 20 }, (_, i) => {
      const s = randInt(rand, 1, 2);
      const pads: [number, number, number, number] = [randInt(rand, 0, 1), randInt(rand, 0, 1), randInt(rand, 0, 1), randInt(rand, 0, 1)];
      const w = randInt(rand, 5, 30) * s + 3 - pads[1] - pads[3] - (s - 1) * randInt(rand, 0, 1); // at least 5 outputs per row
      return depthwise({ n: randInt(rand, 1, 2), c: randInt(rand, 1, 5), h: randInt(rand, 3, 12), w, k: [3, 3], s: [s, s], pads, bias: rand() < 0.7, act: act(i) });
    });
    [...fixed, ...random].forEach((c, ci) => {
      const p = prepare(c, 700 + ci * 3);
      const scratchBytes = k.fn.f32_dwconv2d_3x3_scratch_bytes(c.w);
      const scratch = k.alloc(scratchBytes);
      const px = upload(k, p.x);
      const pw = upload(k, p.wt);
      const pb = c.bias ? upload(k, p.bias) : 0;
      const py = k.alloc(p.expected.length * 4);
      const { code, p0, p1 } = c.act.act;
      k.fn.f32_dwconv2d_3x3_x4(px, py, pw, pb, scratch, c.n, c.c, c.h, c.w, c.s[0], c.pads[0], c.pads[1], p.oh, p.ow, code, p0, p1);
      const tile = `groups of 4 outputs, OW%4=${p.ow % 4} pads=${c.pads}`;
      expectClose(download(k, py, p.expected.length), p.expected, describeCase(k.kernelName('f32_dwconv2d_3x3_x4'), c, p, tile));
      k.reset();
    });
  });

  it.each(['f32_dwconv2d_x8', 'f32_dwconv2d_c4'] as const)('%s matches the reference Conv with group = C (borders, strides 1/2/3, dilations)', (kernel) => {
    const rand = seededRandom(8);
    const random = Array.from({ length: 16 }, (_, i) => {
      const kh = randInt(rand, 1, 5);
      const kw = randInt(rand, 1, 5);
      return depthwise({
        n: randInt(rand, 1, 2),
        c: randInt(rand, 1, 4),
        h: kh + randInt(rand, 0, 10),
        w: kw + randInt(rand, 0, 30),
        k: [kh, kw],
        s: [randInt(rand, 1, 2), randInt(rand, 1, 3)],
        pads: [randInt(rand, 0, kh - 1), randInt(rand, 0, kw - 1), randInt(rand, 0, kh - 1), randInt(rand, 0, kw - 1)],
        bias: rand() < 0.7,
        act: act(i),
      });
    });
    [...DEPTHWISE, ...random].forEach((c, ci) => {
      const p = prepare(c, 500 + ci * 3);
      const px = upload(k, p.x);
      let pw = upload(k, p.wt);
      if (kernel === 'f32_dwconv2d_c4') {
        const packed = k.alloc(k.fn.f32_pack_dw_c4_bytes(c.c, ...c.k));
        k.fn.f32_pack_dw_c4__ck(packed, pw, c.c, ...c.k);
        pw = packed;
      }
      const pb = c.bias ? upload(k, p.bias) : 0;
      const py = k.alloc(p.expected.length * 4);
      const scratchBytes =
        kernel === 'f32_dwconv2d_x8'
          ? k.fn.f32_dwconv2d_scratch_bytes(c.h, c.w, ...c.k, ...c.s, ...c.d, c.pads[0], c.pads[1], p.oh, p.ow)
          : k.fn.f32_dwconv2d_c4_scratch_bytes(...c.k, ...c.s, ...c.d, p.oh, p.ow);
      const scratch = k.alloc(scratchBytes);
      const { code, p0, p1 } = c.act.act;
      k.fn[kernel](px, py, pw, pb, scratch, c.n, c.c, c.h, c.w, ...c.k, ...c.s, ...c.d, c.pads[0], c.pads[1], p.oh, p.ow, code, p0, p1);
      const tile = kernel === 'f32_dwconv2d_x8' ? `4-wide rows, OW%4=${p.ow % 4} scratch=${scratchBytes}B` : `4 channels x 8 pixels, C%4=${c.c % 4} OW%8=${p.ow % 8}`;
      expectClose(download(k, py, p.expected.length), p.expected, describeCase(k.kernelName(kernel), c, p, tile));
      k.reset();
    });
  });
});

// f32_maxpool2d_x4, f32_avgpool2d_x4 (count_include_pad, ceil_mode geometry) and f32_global_avgpool_x4
// against the reference pools, on geometries with borders and remainders of the 4-wide rows.

import { afterEach, beforeAll, describe, it } from 'vitest';
import { seededRandom } from '../../tensor/random.js';
import { loadWasmKernels, type WasmKernels } from './module.js';
import { TEST_VARIANTS, download, expectClose, f32Tensor, randInt, randomFloats, reference, upload } from './test-helpers.js';

interface PoolCase {
  n: number;
  c: number;
  h: number;
  w: number;
  k: [number, number];
  s: [number, number];
  d: [number, number];
  pads: [number, number, number, number];
  ceil: boolean;
  countPad: boolean;
}

function pool(p: Partial<PoolCase> & Pick<PoolCase, 'h' | 'w' | 'k'>): PoolCase {
  return { n: 1, c: 2, s: [1, 1], d: [1, 1], pads: [0, 0, 0, 0], ceil: false, countPad: false, ...p };
}

const FIXED: PoolCase[] = [
  pool({ h: 8, w: 8, k: [2, 2], s: [2, 2] }),
  pool({ h: 15, w: 17, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] }), // ResNet stem pool
  pool({ h: 9, w: 23, k: [3, 3], pads: [1, 1, 1, 1], countPad: true }),
  pool({ h: 9, w: 23, k: [3, 3], pads: [1, 1, 1, 1] }),
  pool({ h: 10, w: 11, k: [3, 2], s: [2, 2], ceil: true, countPad: true, pads: [1, 0, 1, 0] }),
  pool({ h: 12, w: 30, k: [2, 3], d: [2, 2], pads: [1, 2, 1, 2] }),
  pool({ h: 7, w: 29, k: [1, 3], s: [1, 3] }), // stride 3: lane loads
  pool({ n: 2, c: 3, h: 25, w: 5, k: [25, 5] }), // a window as large as the plane
];

function randomPool(rand: () => number): PoolCase {
  const kh = randInt(rand, 1, 4);
  const kw = randInt(rand, 1, 4);
  const dh = randInt(rand, 1, 2);
  return pool({
    n: randInt(rand, 1, 2),
    c: randInt(rand, 1, 3),
    h: (kh - 1) * dh + 1 + randInt(rand, 0, 12),
    w: kw + randInt(rand, 0, 30),
    k: [kh, kw],
    s: [randInt(rand, 1, 3), randInt(rand, 1, 3)],
    d: [dh, 1],
    pads: [randInt(rand, 0, kh - 1), randInt(rand, 0, kw - 1), randInt(rand, 0, kh - 1), randInt(rand, 0, kw - 1)],
    ceil: rand() < 0.3,
    countPad: rand() < 0.5,
  });
}

describe.each(TEST_VARIANTS)('pool kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  const rand = seededRandom(3);
  const all = [...FIXED, ...Array.from({ length: 20 }, () => randomPool(rand))];

  for (const kind of ['MaxPool', 'AveragePool'] as const) {
    it(`${kind} matches the reference (pads, strides, dilations, ceil_mode${kind === 'AveragePool' ? ', count_include_pad' : ''})`, () => {
      all.forEach((c, ci) => {
        const x = randomFloats(c.n * c.c * c.h * c.w, 40 + ci);
        const ref = reference(kind, [f32Tensor(x, [c.n, c.c, c.h, c.w])], {
          kernel_shape: c.k,
          strides: c.s,
          dilations: c.d,
          pads: c.pads,
          ceil_mode: c.ceil ? 1 : 0,
          ...(kind === 'AveragePool' ? { count_include_pad: c.countPad ? 1 : 0 } : {}),
        }, 19);
        const [oh, ow] = [ref.dims[2]!, ref.dims[3]!];
        const px = upload(k, x);
        const py = k.alloc(ref.size * 4);
        const nc = c.n * c.c;
        const [pt, pl, pb, pr] = c.pads;
        if (kind === 'MaxPool') k.fn.f32_maxpool2d_x4(px, py, nc, c.h, c.w, ...c.k, ...c.s, ...c.d, pt, pl, oh, ow);
        else k.fn.f32_avgpool2d_x4(px, py, nc, c.h, c.w, ...c.k, ...c.s, ...c.d, pt, pl, pb, pr, oh, ow, c.countPad ? 1 : 0);
        const name = k.kernelName(kind === 'MaxPool' ? 'f32_maxpool2d_x4' : 'f32_avgpool2d_x4');
        const what = `${name} x=[${c.n},${c.c},${c.h},${c.w}] kernel=${c.k} strides=${c.s} dilations=${c.d} pads=${c.pads} ceil=${c.ceil} countPad=${c.countPad} out=${oh}x${ow} (OW%4=${ow % 4})`;
        expectClose(download(k, py, ref.size), ref.data as Float32Array, what);
        k.reset();
      });
    });
  }

  it('MaxPool lets a NaN win, like the reference', () => {
    const x = randomFloats(2 * 12, 9);
    x[5] = NaN;
    x[12 + 9] = NaN;
    const ref = reference('MaxPool', [f32Tensor(x, [1, 2, 1, 12])], { kernel_shape: [1, 3] });
    const py = k.alloc(ref.size * 4);
    k.fn.f32_maxpool2d_x4(upload(k, x), py, 2, 1, 12, 1, 3, 1, 1, 1, 1, 0, 0, 1, 10);
    expectClose(download(k, py, ref.size), ref.data as Float32Array, 'MaxPool with NaN');
  });

  it('f32_global_avgpool_x4 matches the reference GlobalAveragePool', () => {
    for (const [n, c, h, w] of [[1, 3, 1, 1], [2, 5, 7, 7], [1, 4, 3, 5], [1, 2, 32, 32], [3, 1, 2, 3]] as const) {
      const x = randomFloats(n * c * h * w, h * w);
      const ref = reference('GlobalAveragePool', [f32Tensor(x, [n, c, h, w])]);
      const py = k.alloc(n * c * 4);
      k.fn.f32_global_avgpool_x4(upload(k, x), py, n * c, h * w);
      expectClose(download(k, py, n * c), ref.data as Float32Array, `${k.kernelName('f32_global_avgpool_x4')} x=[${n},${c},${h},${w}] (HW%8=${(h * w) % 8})`);
      k.reset();
    }
  });
});

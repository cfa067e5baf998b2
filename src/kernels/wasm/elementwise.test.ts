// f32_vadd/vsub/vmul/vdiv_x8 (equal shapes, scalar, per-channel and row broadcast, swapped operands, fused
// activation) and the standalone f32_vact_x8 against plain loops, on lengths around the 8- and 4-wide steps.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../tensor/random.js';
import { ACT, BCAST } from './codes.js';
import { loadWasmKernels, type WasmKernels } from './module.js';
import { TEST_ACTIVATIONS, TEST_VARIANTS, activate, download, expectClose, randInt, randomFloats, upload } from './test-helpers.js';

type BinaryKernel = 'f32_vadd_x8' | 'f32_vsub_x8' | 'f32_vmul_x8' | 'f32_vdiv_x8';

const BINARY: { op: string; kernel: BinaryKernel; fn: (a: number, b: number) => number }[] = [
  { op: 'Add', kernel: 'f32_vadd_x8', fn: (a, b) => a + b },
  { op: 'Sub', kernel: 'f32_vsub_x8', fn: (a, b) => a - b },
  { op: 'Mul', kernel: 'f32_vmul_x8', fn: (a, b) => a * b },
  { op: 'Div', kernel: 'f32_vdiv_x8', fn: (a, b) => a / b },
];

/** Index into b of result element i for a broadcast pattern over [outer, c, inner]. */
const B_INDEX: Record<number, (i: number, c: number, inner: number) => number> = {
  [BCAST.none]: (i) => i,
  [BCAST.scalar]: () => 0,
  [BCAST.channel]: (i, c, inner) => Math.floor(i / inner) % c,
  [BCAST.row]: (i, _c, inner) => i % inner,
};

const B_LENGTH: Record<number, (total: number, c: number, inner: number) => number> = {
  [BCAST.none]: (total) => total,
  [BCAST.scalar]: () => 1,
  [BCAST.channel]: (_t, c) => c,
  [BCAST.row]: (_t, _c, inner) => inner,
};

/** Values away from 0 so that Div stays well conditioned. */
function divisors(n: number, seed: number): Float32Array {
  return randomFloats(n, seed).map((v) => (v < 0 ? v - 0.5 : v + 0.5));
}

describe.each(TEST_VARIANTS)('elementwise kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it.each(BINARY)('$op matches a plain loop for every broadcast pattern, both operand orders, with activations', ({ kernel, fn }) => {
    const rand = seededRandom(kernel.length);
    const shapes = [[1, 1, 1], [1, 1, 7], [1, 3, 8], [2, 3, 9], [1, 16, 49], [3, 5, 4], [1, 2, 1000], [4, 1, 33]];
    for (let r = 0; r < 6; r++) shapes.push([randInt(rand, 1, 3), randInt(rand, 1, 6), randInt(rand, 1, 40)]);
    shapes.forEach(([outer, c, inner], si) => {
      for (const bcast of [BCAST.none, BCAST.scalar, BCAST.channel, BCAST.row]) {
        for (const swap of [0, 1]) {
          const { name: actName, act } = TEST_ACTIVATIONS[(si + bcast + swap) % TEST_ACTIVATIONS.length]!;
          const total = outer! * c! * inner!;
          const a = divisors(total, si * 8 + bcast * 2 + swap);
          const b = divisors(B_LENGTH[bcast]!(total, c!, inner!), si * 8 + bcast * 2 + swap + 100);
          const py = k.alloc(total * 4);
          k.fn[kernel](upload(k, a), upload(k, b), py, outer!, c!, inner!, bcast, swap, act.code, act.p0, act.p1);
          const expected = a.map((av, i) => {
            const bv = b[B_INDEX[bcast]!(i, c!, inner!)]!;
            return activate(swap ? fn(bv, av) : fn(av, bv), act);
          });
          const what = `${k.kernelName(kernel)} [outer,c,inner]=[${outer},${c},${inner}] bcast=${bcast} swap=${swap} act=${actName} (n%8=${total % 8})`;
          expectClose(download(k, py, total), expected, what);
          k.reset();
        }
      }
    });
  });

  it('binary kernels work in place (y = a)', () => {
    const a = randomFloats(37, 1);
    const b = randomFloats(37, 2);
    const pa = upload(k, a);
    k.fn.f32_vmul_x8(pa, upload(k, b), pa, 1, 1, 37, BCAST.none, 0, ACT.none, 0, 0);
    expectClose(download(k, pa, 37), a.map((v, i) => v * b[i]!), 'in-place f32_vmul_x8');
  });

  it('f32_vact_x8 matches each activation formula, in place and not, near 0 and at large |x|', () => {
    const special = [0, -0, 1e-7, -1e-7, 1e-3, -1e-3, 0.5, -0.5, 3, -3, 20, -20, 88, -88, 100, -100, 1e30, -1e30, Infinity, -Infinity];
    for (const { name, act } of TEST_ACTIVATIONS) {
      for (const n of [1, 3, 4, 7, 8, 9, 33, 1000]) {
        const x = randomFloats(n, n).map((v) => v * 6);
        if (n === 33) x.set(special.slice(0, 20));
        const py = k.alloc(n * 4);
        const px = upload(k, x);
        k.fn.f32_vact_x8(px, py, n, act.code, act.p0, act.p1);
        const expected = Float32Array.from(x, (v) => activate(v, act));
        expectClose(download(k, py, n), expected, `${k.kernelName('f32_vact_x8')} ${name} n=${n}`);
        k.fn.f32_vact_x8(px, px, n, act.code, act.p0, act.p1);
        expectClose(download(k, px, n), expected, `${k.kernelName('f32_vact_x8')} ${name} n=${n} in place`);
        k.reset();
      }
    }
  });

  it('f32_vact_x8 keeps NaN as NaN for every activation', () => {
    for (const { name, act } of TEST_ACTIVATIONS) {
      const x = new Float32Array([NaN, 1, NaN, -1, 2, NaN, 0, 0, NaN]);
      const py = k.alloc(x.length * 4);
      k.fn.f32_vact_x8(upload(k, x), py, x.length, act.code, act.p0, act.p1);
      const out = download(k, py, x.length);
      expect([0, 2, 5, 8].map((i) => Number.isNaN(out[i]!)), `${name}`).toEqual([true, true, true, true]);
      k.reset();
    }
  });
});

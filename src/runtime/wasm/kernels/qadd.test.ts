// The int8 Add (qs8_vadd, and its lookup table qs8_vadd_lut) through its glue against the reference QAddFixed, bit for
// bit: lengths around the 16-wide loop and the table's threshold, int8 and uint8, left shifts on the vector and scalar paths.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADD_LEFT_SHIFT, qfusedOps } from '../../../kernels/ref/qfused.js';
import { loadWasmKernels, type WasmKernels } from '../../../kernels/wasm/module.js';
import { TEST_VARIANTS } from '../../../kernels/wasm/test-helpers.js';
import { quantizeMultiplier } from '../../../quant/qparams.js';
import { seededRandom } from '../../../tensor/random.js';
import { prepareQAdd } from './qadd.js';
import { expectSame, qnode, randomQ, runGlue, type QAttrs } from './qtesting.js';

const REF = qfusedOps['edgeinfer.QAddFixed']!;

/** The attributes fuse-qdq writes for scales sa, sb -> sy. */
function addAttrs(sa: number, sb: number, sy: number, za: number, zb: number, zy: number, leftShift = ADD_LEFT_SHIFT): QAttrs {
  const twiceMax = 2 * Math.max(sa, sb);
  const qa = quantizeMultiplier(sa / twiceMax);
  const qb = quantizeMultiplier(sb / twiceMax);
  const qy = quantizeMultiplier(twiceMax / (2 ** leftShift * sy));
  return {
    a_zero_point: za,
    a_multiplier: qa.multiplier,
    a_shift: qa.shift,
    b_zero_point: zb,
    b_multiplier: qb.multiplier,
    b_shift: qb.shift,
    left_shift: leftShift,
    multiplier: [qy.multiplier],
    shift: [qy.shift],
    y_zero_point: zy,
  };
}

describe.each(TEST_VARIANTS)('int8 Add kernel, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('equals the reference QAddFixed bit for bit', () => {
    const rand = seededRandom(3);
    const r = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const scale = () => 0.001 + rand() * 0.1;
    for (let i = 0; i < 40; i++) {
      const uint8 = i % 3 === 1;
      const [qmin, qmax] = uint8 ? [0, 255] : [-128, 127];
      // Some above the lookup table's threshold (1024 elements).
      const dims = i % 5 === 0 ? [1, r(8, 16), r(20, 30), r(20, 33)] : [1, r(1, 5), r(1, 9), r(1, 13)];
      const a = randomQ(uint8 ? 'uint8' : 'int8', dims, 100 + i);
      const b = randomQ(uint8 ? 'uint8' : 'int8', dims, 200 + i);
      // Left shifts 20 (TFLite), 8 and 22 (the vector path's limits) and 5 (the scalar path).
      const leftShift = [ADD_LEFT_SHIFT, 8, 22, 5][i % 4]!;
      const attrs = { ...addAttrs(scale(), scale(), scale(), r(qmin, qmax), r(qmin, qmax), r(qmin, qmax), leftShift), output_min: r(qmin, qmin + 20) };
      const constant = i % 7 === 6 ? [1] : [];
      const run = runGlue(k, prepareQAdd, REF, qnode('QAddFixed', attrs, [a, b]), [a, b], constant);
      const what = `dims=[${dims}] ${uint8 ? 'uint8' : 'int8'} left_shift=${leftShift} constant b=${constant.length > 0}`;
      const n = dims.reduce((p, d) => p * d, 1);
      expect(run.kernel, what).toBe(`${n >= 1024 ? 'qs8_vadd_lut' : 'qs8_vadd'}__${variant}`);
      expectSame(run, what);
    }
  });

  it('declines broadcasting shapes', () => {
    const a = randomQ('int8', [2, 3], 1);
    const b = randomQ('int8', [3], 2);
    const node = qnode('QAddFixed', addAttrs(0.1, 0.05, 0.2, 0, 0, 0), [a, b]);
    expect(runGlue(k, prepareQAdd, REF, node, [a, b], []).kernel).toBeUndefined();
  });
});

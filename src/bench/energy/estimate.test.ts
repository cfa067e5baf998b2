// Tests of the energy estimator: hand-computed totals for one Conv and one Gemm, and the three directions the
// model must get right (pruned < dense, int8 < fp32, batched < unbatched per sample) on every device profile.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { InferenceSession } from '../../runtime/session.js';
import { Tensor } from '../../tensor/tensor.js';
import { DEVICE_PROFILES, type DeviceProfile } from './device-profiles.js';
import { estimateEnergy } from './estimate.js';
import { convModel, denseWeights, gemmModel, pruned, qlinearConvModel, typesOf } from './test-models.js';
import { nonZeroFraction } from './weight-density.js';

/** A profile with round numbers, so totals can be computed by hand: 1 pJ per byte on chip, 10 pJ per instruction. */
const TOY: DeviceProfile = {
  name: 'toy',
  description: 'test profile',
  processNm: 45,
  coreVolts: 0.9,
  arithmeticScale: 1,
  levels: [
    { name: 'sram', bytes: 1 << 20, pjPer64Bit: 8, basis: 'test' },
    { name: 'dram', bytes: Infinity, pjPer64Bit: 800, basis: 'test' },
  ],
  instructionPj: 10,
  lanes: { i8: 8, i16: 4, i32: 4, i64: 2, f16: 4, f32: 4, f64: 2 },
  sparsityAware: true,
  sources: [],
  assumptions: [],
};
const DEVICES = Object.keys(DEVICE_PROFILES);

describe('estimateEnergy: hand-computed totals', () => {
  it('one Conv', () => {
    // x [1,2,4,4] * w [3,2,3,3] → y [1,3,2,2]: 12 outputs × 18 MACs = 216 MACs
    const model = convModel(denseWeights([3, 2, 3, 3]), [1, 2, 4, 4]);
    const e = estimateEnergy(model, typesOf(model), { device: TOY });
    const arithmetic = 216 * (3.7 + 0.9); // fp32 mult + fp32 add = 993.6 pJ
    const instructions = (216 / 4) * 10; // 4 fp32 lanes = 540 pJ
    const weights = 54 * 4 * 1; // 216 bytes at 1 pJ/byte
    const activations = (32 + 12) * 4 * 1; // x and y = 176 pJ
    expect(e.details.macs).toBe(216);
    expect(e.microjoulesPerInference).toBeCloseTo((arithmetic + instructions + weights + activations) * 1e-6, 12); // 1925.6 pJ
    expect(e.source).toBe('estimated');
    expect(e.breakdown).toEqual([{ op: 'Conv', microjoules: e.microjoulesPerInference }]);
  });

  it('one Gemm with a bias, batch 2, per sample', () => {
    // x [2,8] · w [8,4] + bias [4]: 64 MACs, 8 bias adds; weights read once for both samples
    const model = gemmModel(denseWeights([8, 4]), denseWeights([4]));
    const e = estimateEnergy(model, typesOf(model, { N: 2 }), { device: TOY, batch: 2 });
    const perBatch = 64 * 4.6 + 8 * 0.9 + ((64 + 8) / 4) * 10 + (32 + 4) * 4 + (16 + 8) * 4; // 301.6 + 180 + 144 + 96
    expect(perBatch).toBeCloseTo(721.6, 9);
    expect(e.microjoulesPerInference).toBeCloseTo((perBatch / 2) * 1e-6, 12); // 360.8 pJ per sample
    expect(e.details.macs).toBe(32);
  });

  it('one Gemm on cortex-a72, from the documented figures', () => {
    // scale 28/45 = 0.6222; 70 pJ × 0.6222 × 3 = 130.67 pJ per instruction; L1D 32 KB: 20 pJ × 0.6222 per 64 bits
    const model = gemmModel(denseWeights([8, 4]), denseWeights([4]));
    const e = estimateEnergy(model, typesOf(model, { N: 1 }), { device: 'cortex-a72' });
    const scale = 28 / 45;
    const arithmetic = (32 * 4.6 + 4 * 0.9) * scale; // 93.83 pJ
    const instructions = ((32 + 4) / 4) * 70 * scale * 3; // 1176 pJ
    const memory = ((32 + 4 + 8 + 4) * 4 * 20 * scale) / 8; // 192 bytes at 1.556 pJ/byte = 298.7 pJ
    expect(e.details.weightLevel).toBe('L1D 32 KB');
    expect(e.microjoulesPerInference).toBeCloseTo((arithmetic + instructions + memory) * 1e-6, 12); // 1568.5 pJ
    console.log(e.method);
  });
});

describe('estimateEnergy: directions', () => {
  const w = denseWeights([16, 8, 3, 3]);

  it.each(DEVICES)('pruned < dense on %s (MACs of zero weights skipped)', (device) => {
    const dense = convModel(w, [1, 8, 16, 16]);
    const sparse = convModel(pruned(w, 4), [1, 8, 16, 16]);
    const eDense = estimateEnergy(dense, typesOf(dense), { device });
    const eSparse = estimateEnergy(sparse, typesOf(sparse), { device });
    console.log(`${device}: dense ${eDense.microjoulesPerInference.toFixed(4)} µJ, 75% pruned ${eSparse.microjoulesPerInference.toFixed(4)} µJ`);
    expect(eSparse.microjoulesPerInference).toBeLessThan(eDense.microjoulesPerInference);
    expect(eSparse.details.macs).toBe(eDense.details.macs / 4);
    expect(eSparse.details.denseMacs).toBe(eDense.details.macs);
    const off = estimateEnergy(sparse, typesOf(sparse), { device, sparsityAware: false });
    expect(off.microjoulesPerInference).toBeCloseTo(eDense.microjoulesPerInference, 12);
    expect(off.method).toMatch(/dense MACs/);
  });

  it.each(DEVICES)('int8 < fp32 on %s', (device) => {
    const f32 = convModel(w, [1, 8, 16, 16]);
    const i8 = qlinearConvModel(w, [1, 8, 16, 16]);
    const eF32 = estimateEnergy(f32, typesOf(f32), { device });
    const eI8 = estimateEnergy(i8, typesOf(i8), { device });
    console.log(`${device}: fp32 ${eF32.microjoulesPerInference.toFixed(4)} µJ, int8 ${eI8.microjoulesPerInference.toFixed(4)} µJ`);
    expect(eI8.details.macs).toBe(eF32.details.macs);
    expect(eI8.microjoulesPerInference).toBeLessThan(eF32.microjoulesPerInference);
    expect(eI8.details.weightBytes).toBeLessThan(eF32.details.weightBytes);
  });

  it.each(DEVICES)('batched < unbatched per sample on %s (weights read once per batch)', (device) => {
    const model = gemmModel(denseWeights([256, 128]), denseWeights([128]));
    const one = estimateEnergy(model, typesOf(model, { N: 1 }), { device });
    const eight = estimateEnergy(model, typesOf(model, { N: 8 }), { device, batch: 8 });
    console.log(`${device}: batch 1 ${one.microjoulesPerInference.toFixed(4)} µJ/sample, batch 8 ${eight.microjoulesPerInference.toFixed(4)} µJ/sample`);
    expect(eight.microjoulesPerInference).toBeLessThan(one.microjoulesPerInference);
    expect(eight.details.macs).toBe(one.details.macs);
    expect(eight.details.bytesByLevel[eight.details.weightLevel]).toBeLessThan(one.details.bytesByLevel[one.details.weightLevel]!);
  });
});

describe('estimateEnergy: memory levels', () => {
  it('reads weights from DRAM when they do not fit the caches, and from flash on the microcontroller', () => {
    const model = gemmModel(denseWeights([1024, 512]), denseWeights([512])); // 2 MB of weights
    const types = typesOf(model, { N: 1 });
    expect(estimateEnergy(model, types, { device: 'cortex-a72' }).details.weightLevel).toBe('DRAM');
    expect(estimateEnergy(model, types, { device: 'x86-laptop-core' }).details.weightLevel).toBe('L3 12 MB');
    const m7 = estimateEnergy(model, types, { device: 'cortex-m7' });
    expect(m7.details.weightLevel).toBe('flash 2 MB');
    expect(m7.details.warnings).toEqual([expect.stringMatching(/weights \(2099200 bytes\) do not fit flash 2 MB of cortex-m7/)]);
  });

  it('moves activations to a larger level when the working set grows', () => {
    const model = convModel(denseWeights([4, 4, 1, 1]), ['N', 4, 32, 32]);
    const levels = (n: number) => estimateEnergy(model, typesOf(model, { N: n }), { device: 'cortex-a72', batch: n }).details.nodes[0]!.activationLevel;
    expect(levels(1)).toBe('L1D 32 KB'); // 2 × 16 KB
    expect(levels(8)).toBe('L2 1 MB');
    expect(levels(64)).toBe('DRAM');
  });
});

describe('estimateEnergy: inputs', () => {
  const model = gemmModel(denseWeights([8, 4]), denseWeights([4]));

  it('refuses an unknown device, naming the known ones', () => {
    expect(() => estimateEnergy(model, typesOf(model, { N: 1 }), { device: 'pentium' })).toThrow(
      /unknown device 'pentium'; known: cortex-m7, cortex-a72, x86-laptop-core/,
    );
  });

  it('refuses symbolic shapes, saying what to bind', () => {
    const err = (() => {
      try {
        estimateEnergy(model, typesOf(model), { device: 'cortex-a72' });
      } catch (e) {
        return e as EdgeError;
      }
    })();
    expect(err).toBeInstanceOf(EdgeError);
    expect(err!.code).toBe('SHAPE_MISMATCH');
    expect(err!.message).toMatch(/needs static shapes; 2 values are not: 'x' \[N,8\], 'y' \[N,4\]\. Bind symbolic dims first/);
  });

  it('refuses a batch the shapes do not hold, and a batch that is not a positive integer', () => {
    expect(() => estimateEnergy(model, typesOf(model, { N: 1 }), { device: 'cortex-a72', batch: 3 })).toThrow(/batch 3, but no input has a dimension of 3 \('x' \[1,8\]\)/);
    expect(() => estimateEnergy(model, typesOf(model, { N: 1 }), { device: 'cortex-a72', batch: 0 })).toThrow(/batch must be a positive integer, got 0/);
  });
});

describe('weight density', () => {
  it('counts exact zeros, and quantized weights equal to their per-channel zero point', () => {
    expect(nonZeroFraction(new Tensor('float32', [0, -0, 1, 2], [4]))).toBe(0.5);
    const w = new Tensor('int8', [3, 3, 5, 5, 4, 0], [3, 2]);
    expect(nonZeroFraction(w, new Tensor('int8', [3, 5, 0], [3]), 0)).toBe(1 / 6); // rows [3,3] [5,5] [4,0] vs 3, 5, 0
    expect(nonZeroFraction(w, new Tensor('int8', [0], []))).toBe(5 / 6);
    expect(nonZeroFraction(new Tensor('float16', new Uint16Array([0x8000, 0x3c00]), [2]))).toBe(0.5);
  });
});

describe('estimateEnergy on a real model', () => {
  it('resnet8 on every device: Conv dominates, the breakdown adds up, nothing falls back', async () => {
    const session = await InferenceSession.create('/work/shared/fixtures/models/resnet8/model.onnx', { backend: 'ref', freeDimensionOverrides: { batch: 1 } });
    for (const device of DEVICES) {
      const e = estimateEnergy(session.model, session.valueTypes, { device });
      console.log(`${device}: ${e.microjoulesPerInference.toFixed(1)} µJ, ${(e.details.macs / 1e6).toFixed(2)} M MACs, weights ${e.details.weightLevel}`,
        e.breakdown.map((b) => `${b.op} ${b.microjoules.toFixed(1)}`).join(', '));
      expect(e.breakdown[0]!.op).toMatch(/Conv/);
      expect(e.breakdown.reduce((s, b) => s + b.microjoules, 0)).toBeCloseTo(e.microjoulesPerInference, 9);
      expect(e.details.warnings).toEqual([]);
    }
  });
});

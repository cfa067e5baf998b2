// Single-threaded fp32 throughput of the WebAssembly kernels: GEMM 256x256x256 (and a few Conv layers of the
// bundled models) for every build this engine runs, best of several timed repetitions, in GFLOP/s.
//
//   npx tsx scripts/bench-gemm.ts [--quick]
//   node --experimental-wasm-relaxed-simd --import tsx scripts/bench-gemm.ts   (Node 20: adds relaxed SIMD)

import { loadWasmKernels, wasmVariantSupported, type WasmKernels, type WasmVariant } from '../src/kernels/wasm/module.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const TARGET_MS = quick ? 20 : 60; // time per round

function fill(k: WasmKernels, floats: number, seed: number): number {
  const p = k.alloc(floats * 4);
  const v = k.f32(p, floats);
  let s = seed;
  for (let i = 0; i < floats; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return p;
}

/** Best time per call in ms over ROUNDS rounds of enough calls to last TARGET_MS. */
function timeMs(run: () => void): number {
  run();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    const dt = performance.now() - t0;
    if (dt >= TARGET_MS / 4 || calls > 1e6) break;
    calls *= 2;
  }
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    best = Math.min(best, (performance.now() - t0) / calls);
  }
  return best;
}

interface Bench {
  name: string;
  flops: number;
  setup(k: WasmKernels): () => void;
}

const gemm = (m: number, n: number, kk: number): Bench[] => [
  {
    name: `f32_gemm_4x8     ${m}x${n}x${kk} (B packed)`,
    flops: 2 * m * n * kk,
    setup(k) {
      const a = fill(k, m * kk, 1);
      const bp = k.alloc(k.fn.f32_pack_n8_bytes(kk, n));
      k.fn.f32_pack_n8__kn(bp, fill(k, kk * n, 2), kk, n, n, 1);
      const c = k.alloc(m * n * 4);
      return () => k.fn.f32_gemm_4x8(m, n, kk, a, kk, bp, c, n, 0, 0, 0, 0, 0);
    },
  },
  {
    name: `f32_gemm_pa_4x8  ${m}x${n}x${kk} (A packed)`,
    flops: 2 * m * n * kk,
    setup(k) {
      const ap = k.alloc(k.fn.f32_pack_gm4_bytes(m, kk, 1));
      k.fn.f32_pack_gm4__mk(ap, fill(k, m * kk, 1), m, kk, 1);
      const b = fill(k, kk * n, 2);
      const c = k.alloc(m * n * 4);
      return () => k.fn.f32_gemm_pa_4x8(m, n, kk, ap, b, n, c, n, 0, 0, 0, 0);
    },
  },
];

/** A Conv layer: x [1, c, h, w], m output channels, k x k kernel, stride s, pad (k-1)/2, ReLU. */
const conv = (label: string, c: number, h: number, m: number, k: number, s: number, group = 1): Bench => {
  const pad = (k - 1) >> 1;
  const oh = Math.floor((h + 2 * pad - k) / s) + 1;
  return {
    name: `${group === c ? 'f32_dwconv2d_x8 ' : 'f32_conv2d_4x8  '} ${label} ${c}x${h}x${h} -> ${m}x${oh}x${oh} k${k} s${s}`,
    flops: 2 * m * oh * oh * (c / group) * k * k,
    setup(kr) {
      const x = fill(kr, c * h * h, 3);
      const y = kr.alloc(m * oh * oh * 4);
      const bias = fill(kr, m, 4);
      if (group === c && m === c) {
        const w = fill(kr, c * k * k, 5);
        const scratch = kr.alloc(kr.fn.f32_dwconv2d_scratch_bytes(h, h, k, k, s, s, 1, 1, pad, pad, oh, oh));
        return () => kr.fn.f32_dwconv2d_x8(x, y, w, bias, scratch, 1, c, h, h, k, k, s, s, 1, 1, pad, pad, oh, oh, 1, 0, 0);
      }
      const kg = (c / group) * k * k;
      const wp = kr.alloc(kr.fn.f32_pack_gm4_bytes(m, kg, group));
      kr.fn.f32_pack_gm4__mk(wp, fill(kr, m * kg, 5), m, kg, group);
      const scratch = kr.alloc(kr.fn.f32_conv2d_scratch_bytes(c / group, h, h, k, k, s, s, pad, pad, oh, oh));
      return () => kr.fn.f32_conv2d_4x8(x, y, wp, bias, scratch, 1, c, h, h, m, group, k, k, s, s, 1, 1, pad, pad, oh, oh, 1, 0, 0);
    },
  };
};

const BENCHES: Bench[] = [
  ...gemm(256, 256, 256),
  conv('resnet8 3x3  ', 16, 32, 16, 3, 1),
  conv('resnet8 3x3  ', 32, 16, 32, 3, 1),
  conv('mbv2 1x1     ', 32, 56, 96, 1, 1),
  conv('mbv2 stem    ', 3, 224, 32, 3, 2),
  conv('mbv2 dw s1   ', 96, 56, 96, 3, 1, 96),
  conv('mbv2 dw s2   ', 96, 56, 96, 3, 2, 96),
];

async function main(): Promise<void> {
  const variants: WasmVariant[] = ['wasmsimd', 'wasmrelaxedsimd', 'scalar'];
  console.log(`Node ${process.version}, single thread, best of ${ROUNDS} rounds`);
  for (const variant of variants) {
    if (!wasmVariantSupported(variant)) {
      console.log(`\n${variant}: not supported by this engine (Node 20: node --experimental-wasm-relaxed-simd --import tsx scripts/bench-gemm.ts)`);
      continue;
    }
    const k = await loadWasmKernels({ variant });
    console.log(`\n${variant}`);
    for (const b of BENCHES) {
      k.reset();
      const ms = timeMs(b.setup(k));
      console.log(`  ${b.name.padEnd(58)} ${(b.flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s  ${ms.toFixed(3).padStart(8)} ms`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

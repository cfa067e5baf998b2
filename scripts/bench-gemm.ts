// Single-threaded fp32 throughput of the WebAssembly kernels: GEMM 256x256x256, batch-1 GEMV, the 1x1 Conv GEMMs of
// 7x7 and 3x3 maps, and the Conv layers of the bundled models, for every build this engine runs, in GFLOP/s.
// Each figure is the best block of several interleaved rounds (a shared machine slows every kernel alike).
//
//   npx tsx scripts/bench-gemm.ts [--quick] [--filter text] [--baseline <generated module>]
//   node --experimental-wasm-relaxed-simd --import tsx scripts/bench-gemm.ts   (Node 20: adds relaxed SIMD)
//
// --baseline compares with another SIMD build, interleaved in the same rounds, e.g. the last commit's (the generated
// modules are not in git; build them from its sources, outside the work tree):
//   mkdir -p /tmp/base && git archive HEAD assembly scripts/build-wasm.mjs | tar -x -C /tmp/base
//   ln -sfn "$PWD/node_modules" /tmp/base/node_modules && node /tmp/base/scripts/build-wasm.mjs
//   npx tsx scripts/bench-gemm.ts --baseline /tmp/base/src/kernels/wasm/generated/kernels-simd.ts

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadWasmKernels, wasmVariantSupported, type WasmVariant } from '../src/kernels/wasm/module.js';
import { WASM_PAGE_BYTES, webAssembly, type WasmMemory } from '../src/kernels/wasm/wasm-api.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const filter = option('--filter');
const baselineFile = option('--baseline');
const ROUNDS = quick ? 5 : 11;
const BLOCK_MS = quick ? 10 : 25;

/** What a benchmark needs of a build: its kernels by short name, an allocator and float views. */
interface Kernels {
  fn: Record<string, ((...args: number[]) => number) | undefined>;
  alloc(bytes: number): number;
  f32(offset: number, length: number): Float32Array;
  reset(): void;
}

async function variantKernels(variant: WasmVariant): Promise<Kernels> {
  const k = await loadWasmKernels({ variant });
  return { fn: k.fn as unknown as Kernels['fn'], alloc: (b) => k.alloc(b, 64), f32: (o, n) => k.f32(o, n), reset: () => k.reset() };
}

/** A build from a generated module file (`export const WASM_BASE64`), bound without the glue. */
async function fileKernels(file: string): Promise<Kernels> {
  const { WASM_BASE64 } = (await import(pathToFileURL(path.resolve(file)).href)) as { WASM_BASE64?: string };
  if (typeof WASM_BASE64 !== 'string') throw new Error(`${file} exports no WASM_BASE64: give a module written by scripts/build-wasm.mjs`);
  const bytes = Uint8Array.from(atob(WASM_BASE64), (ch) => ch.charCodeAt(0));
  const { instance } = await webAssembly()!.instantiate(bytes, {});
  const exports = instance.exports;
  const memory = exports.memory as WasmMemory;
  const fn: Kernels['fn'] = {};
  for (const [name, f] of Object.entries(exports)) if (typeof f === 'function') fn[name.replace(/__(wasmsimd|wasmrelaxedsimd|scalar)$/, '')] = f as (...a: number[]) => number;
  const base = (exports.heap_base as () => number)();
  let top = base;
  return {
    fn,
    alloc(bytes) {
      const offset = Math.ceil(top / 64) * 64;
      top = offset + bytes;
      if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / WASM_PAGE_BYTES));
      return offset;
    },
    f32: (o, n) => new Float32Array(memory.buffer, o, n),
    reset: () => void (top = base),
  };
}

function fill(k: Kernels, floats: number, seed: number): number {
  const p = k.alloc(floats * 4);
  const v = k.f32(p, floats);
  let s = seed;
  for (let i = 0; i < floats; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return p;
}

interface Bench {
  name: string;
  flops: number;
  /** Prepares the operands in k; undefined when the build lacks the kernel. */
  setup(k: Kernels): (() => void) | undefined;
}

const gemm = (m: number, n: number, kk: number, label = ''): Bench => ({
  name: `f32_gemm_4x8     ${m}x${n}x${kk} (B packed)${label}`,
  flops: 2 * m * n * kk,
  setup(k) {
    const a = fill(k, m * kk, 1);
    const bp = k.alloc(k.fn.f32_pack_n8_bytes!(kk, n));
    k.fn.f32_pack_n8__kn!(bp, fill(k, kk * n, 2), kk, n, n, 1);
    const c = k.alloc(m * n * 4);
    const f = k.fn.f32_gemm_4x8!;
    return () => f(m, n, kk, a, kk, bp, c, n, 0, 0, 0, 0, 0);
  },
});

const gemmPa = (m: number, n: number, kk: number, label = ''): Bench => ({
  name: `f32_gemm_pa_4x8  ${m}x${n}x${kk} (A packed)${label}`,
  flops: 2 * m * n * kk,
  setup(k) {
    const ap = k.alloc(k.fn.f32_pack_gm4_bytes!(m, kk, 1));
    k.fn.f32_pack_gm4__mk!(ap, fill(k, m * kk, 1), m, kk, 1);
    const b = fill(k, kk * n, 2);
    const c = k.alloc(m * n * 4);
    const f = k.fn.f32_gemm_pa_4x8!;
    return () => f(m, n, kk, ap, b, n, c, n, 0, 0, 0, 0);
  },
});

type ConvKernel =
  | 'f32_conv2d_4x8'
  | 'f32_conv2d_direct_4x8'
  | 'f32_conv3x3_wino2x2_4x8'
  | 'f32_dwconv2d_x8'
  | 'f32_dwconv2d_3x3_x4'
  | 'f32_dwconv2d_c4';

/** A Conv layer: x [1, c, h, w], m output channels, k x k kernel, stride s, pad (k-1)/2, ReLU. */
const conv = (kernel: ConvKernel, label: string, c: number, h: number, m: number, k: number, s: number, w = h): Bench => {
  const pad = (k - 1) >> 1;
  const oh = Math.floor((h + 2 * pad - k) / s) + 1;
  const ow = Math.floor((w + 2 * pad - k) / s) + 1;
  const depthwise = kernel.startsWith('f32_dwconv2d');
  const group = depthwise ? c : 1;
  return {
    name: `${kernel.padEnd(24)} ${label.padEnd(13)} ${c}x${h}x${w} -> ${m}x${oh}x${ow} k${k} s${s}`,
    flops: 2 * m * oh * ow * (c / group) * k * k,
    setup(kr) {
      const f = kr.fn[kernel];
      if (!f) return undefined;
      const x = fill(kr, c * h * w, 3);
      const y = kr.alloc(m * oh * ow * 4);
      const bias = fill(kr, m, 4);
      const weights = fill(kr, m * (c / group) * k * k, 5);
      if (kernel === 'f32_dwconv2d_x8') {
        const scratch = kr.alloc(kr.fn.f32_dwconv2d_scratch_bytes!(h, w, k, k, s, s, 1, 1, pad, pad, oh, ow));
        return () => f(x, y, weights, bias, scratch, 1, c, h, w, k, k, s, s, 1, 1, pad, pad, oh, ow, 1, 0, 0);
      }
      if (kernel === 'f32_dwconv2d_3x3_x4') {
        const scratch = kr.alloc(kr.fn.f32_dwconv2d_3x3_scratch_bytes!(w));
        return () => f(x, y, weights, bias, scratch, 1, c, h, w, s, pad, pad, oh, ow, 1, 0, 0);
      }
      if (kernel === 'f32_dwconv2d_c4') {
        const wp = kr.alloc(kr.fn.f32_pack_dw_c4_bytes!(c, k, k));
        kr.fn.f32_pack_dw_c4__ck!(wp, weights, c, k, k);
        const scratch = kr.alloc(kr.fn.f32_dwconv2d_c4_scratch_bytes!(k, k, s, s, 1, 1, oh, ow));
        return () => f(x, y, wp, bias, scratch, 1, c, h, w, k, k, s, s, 1, 1, pad, pad, oh, ow, 1, 0, 0);
      }
      if (kernel === 'f32_conv3x3_wino2x2_4x8') {
        const up = kr.alloc(kr.fn.f32_pack_wino2x2_bytes!(m, c));
        kr.fn.f32_pack_wino2x2__mk!(up, weights, m, c);
        const scratch = kr.alloc(kr.fn.f32_conv3x3_wino2x2_scratch_bytes!(c, m, oh, ow));
        return () => f(x, y, up, bias, scratch, 1, c, h, w, m, m, pad, pad, oh, ow, 1, 0, 0);
      }
      const kg = c * k * k;
      const wp = kr.alloc(kr.fn.f32_pack_gm4_bytes!(m, kg, 1));
      kr.fn.f32_pack_gm4__mk!(wp, weights, m, kg, 1);
      const scratchBytes =
        kernel === 'f32_conv2d_4x8'
          ? kr.fn.f32_conv2d_scratch_bytes!(c, h, w, k, k, s, s, pad, pad, oh, ow)
          : kr.fn.f32_conv2d_direct_scratch_bytes!(c, h, w, k, k, s, s, 1, 1, pad, pad, oh, ow);
      const scratch = kr.alloc(scratchBytes);
      return () => f(x, y, wp, bias, scratch, 1, c, h, w, m, 1, k, k, s, s, 1, 1, pad, pad, oh, ow, 1, 0, 0);
    },
  };
};

const BENCHES: Bench[] = [
  gemm(256, 256, 256),
  gemm(32, 128, 640, '  ad_autoencoder batch 32'),
  gemm(1, 128, 640, '    ad_autoencoder batch 1'),
  gemm(1, 1000, 1280, '   MobileNet classifier'),
  gemmPa(256, 256, 256),
  gemmPa(1280, 49, 320, '   1x1 on 7x7'),
  gemmPa(160, 49, 960, '    1x1 on 7x7'),
  gemmPa(96, 12544, 16, '  1x1 on 112x112'),
  gemmPa(144, 3136, 24, '  1x1 on 56x56'),
  gemmPa(1280, 9, 112, '    1x1 on 3x3'),
  ...(['f32_conv2d_4x8', 'f32_conv2d_direct_4x8'] as const).map((kn) => conv(kn, 'resnet8 stem', 3, 32, 16, 3, 1)),
  ...(['f32_conv2d_4x8', 'f32_conv2d_direct_4x8', 'f32_conv3x3_wino2x2_4x8'] as const).flatMap((kn) => [
    conv(kn, 'resnet8 3x3', 16, 32, 16, 3, 1),
    conv(kn, 'resnet8 3x3', 32, 16, 32, 3, 1),
    conv(kn, 'resnet8 3x3', 64, 8, 64, 3, 1),
  ]),
  ...(['f32_conv2d_4x8', 'f32_conv2d_direct_4x8'] as const).flatMap((kn) => [
    conv(kn, 'resnet8 s2', 16, 32, 32, 3, 2),
    conv(kn, 'mbv2 stem', 3, 224, 32, 3, 2),
  ]),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 32, 56, 96, 1, 1),
  // Small-K 1x1 layers of MobileNetV2 0.5 at 128 and 0.35/1.0 at 224: expansions, then projections.
  conv('f32_conv2d_4x8', 'mbv2 1x1', 8, 64, 48, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 16, 32, 96, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 16, 16, 96, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 16, 112, 96, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 24, 56, 144, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 8, 112, 48, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 16, 64, 8, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 48, 64, 8, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 96, 32, 16, 1, 1),
  conv('f32_conv2d_4x8', 'mbv2 1x1', 32, 28, 192, 1, 1, 29),
  ...(['f32_dwconv2d_x8', 'f32_dwconv2d_3x3_x4', 'f32_dwconv2d_c4'] as const).flatMap((kn) => [
    conv(kn, 'mbv2 dw s1', 96, 56, 96, 3, 1),
    conv(kn, 'mbv2 dw s2', 96, 56, 96, 3, 2),
    conv(kn, 'mbv2 dw 7x7', 960, 7, 960, 3, 1),
    conv(kn, 'dscnn dw', 64, 25, 64, 3, 1, 5),
  ]),
].filter((b) => !filter || b.name.includes(filter));

/** Calls per block of about BLOCK_MS, then the best time per call over ROUNDS interleaved rounds, in ms. */
function interleavedBest(runs: (() => void)[]): number[] {
  const calls = runs.map((run) => {
    run();
    for (let n = 1; ; n *= 2) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) run();
      if (performance.now() - t0 >= BLOCK_MS / 4 || n > 1e6) return n * 4;
    }
  });
  const best = runs.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    runs.forEach((run, i) => {
      const t0 = performance.now();
      for (let j = 0; j < calls[i]!; j++) run();
      best[i] = Math.min(best[i]!, (performance.now() - t0) / calls[i]!);
    });
  }
  return best;
}

const figure = (b: Bench, ms: number | undefined) =>
  ms === undefined ? `${'—'.padStart(6)}          ${''.padStart(8)}   ` : `${((b.flops / ms) / 1e6).toFixed(1).padStart(6)} GFLOP/s ${ms.toFixed(3).padStart(8)} ms`;

async function main(): Promise<void> {
  console.log(`Node ${process.version}, single thread, best of ${ROUNDS} interleaved rounds`);
  const baseline = baselineFile ? await fileKernels(baselineFile) : undefined;
  const variants: WasmVariant[] = ['wasmsimd', 'wasmrelaxedsimd', 'scalar'];
  for (const variant of variants) {
    if (!wasmVariantSupported(variant)) {
      console.log(`\n${variant}: not supported by this engine (Node 20: node --experimental-wasm-relaxed-simd --import tsx scripts/bench-gemm.ts)`);
      continue;
    }
    const k = await variantKernels(variant);
    const compare = variant === 'wasmsimd' ? baseline : undefined;
    console.log(`\n${variant}${compare ? `  (baseline: ${baselineFile}, then this build)` : ''}`);
    for (const b of BENCHES) {
      k.reset();
      compare?.reset();
      const runs = [compare ? b.setup(compare) : undefined, b.setup(k)];
      const present = runs.filter((r): r is () => void => r !== undefined);
      if (present.length === 0) continue;
      const times = interleavedBest(present);
      const at = (i: number) => (runs[i] ? times[runs.slice(0, i).filter(Boolean).length] : undefined);
      console.log(`  ${b.name.padEnd(72)} ${compare ? `${figure(b, at(0))}  ->  ` : ''}${figure(b, at(1))}`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

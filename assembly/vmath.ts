// Vector math shared by the kernels: multiply-add (fused under relaxed SIMD), exp, strided loads, reductions.
// Only called from SIMD code paths: the scalar build never compiles these (ASC_FEATURE_SIMD is false there).

/** a * b + c: one fused instruction in the relaxed-SIMD build, a multiply then an add otherwise. */
@inline export function vmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * e^x per lane, relative error ~2e-7: x = n ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial,
 * 2^n built in the exponent bits. Inputs are clamped to [-87, 88] so 2^n stays a normal float; NaN stays NaN.
 */
@inline export function vexp(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  // ln2 split in two so n * ln2hi is exact.
  let r = vmadd(n, f32x4.splat(-0.693145751953125), x);
  r = vmadd(n, f32x4.splat(-1.428606765330187e-6), r);
  let p = f32x4.splat(1.0 / 720.0);
  p = vmadd(p, r, f32x4.splat(1.0 / 120.0));
  p = vmadd(p, r, f32x4.splat(1.0 / 24.0));
  p = vmadd(p, r, f32x4.splat(1.0 / 6.0));
  p = vmadd(p, r, f32x4.splat(0.5));
  p = vmadd(p, r, f32x4.splat(1.0));
  p = vmadd(p, r, f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** Sum of the four lanes. */
@inline export function vsum(v: v128): f32 {
  const h = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
}

/** Max of the four lanes. */
@inline export function vmax(v: v128): f32 {
  const h = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return max<f32>(f32x4.extract_lane(h, 0), f32x4.extract_lane(h, 1));
}

/**
 * Four floats at p, p + s, p + 2s, p + 3s (s in elements): one load for s = 1, two loads and a shuffle
 * for s = 2 (reading elements 0..6 only, never past the last one used), lane loads otherwise.
 */
@inline export function vloadStrided(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 12), 0, 2, 5, 7);
  const step = <usize>s << 2;
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + step, v, 1);
  v = v128.load32_lane(p + 2 * step, v, 2);
  return v128.load32_lane(p + 3 * step, v, 3);
}

/** Stores the first `count` (0..4) lanes of v at p. */
@inline export function vstorePartial(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
    return;
  }
  if (count >= 1) v128.store32_lane(p, v, 0);
  if (count >= 2) v128.store32_lane(p, v, 1, 4);
  if (count >= 3) v128.store32_lane(p, v, 2, 8);
}

/** The first `count` (0..4) floats at p in the low lanes, zeros above; never reads past them. */
@inline export function vloadPartial(p: usize, count: i32): v128 {
  if (count >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (count >= 1) v = v128.load32_lane(p, v, 0);
  if (count >= 2) v = v128.load32_lane(p, v, 1, 4);
  if (count >= 3) v = v128.load32_lane(p, v, 2, 8);
  return v;
}

// memory.copy and memory.fill are calls into the engine's runtime in V8: right for long runs, slow for the
// short rows of small planes, which these loops handle inline.
const BULK_MIN_BYTES: usize = 256;

/** Copies n floats from src to dst (not overlapping). */
@inline export function copyFloats(dst: usize, src: usize, n: i32): void {
  const bytes = <usize>n << 2;
  if (bytes >= BULK_MIN_BYTES) {
    memory.copy(dst, src, bytes);
    return;
  }
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  }
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

/** Sets n floats at dst to 0. */
@inline export function zeroFloats(dst: usize, n: i32): void {
  const bytes = <usize>n << 2;
  if (bytes >= BULK_MIN_BYTES) {
    memory.fill(dst, 0, bytes);
    return;
  }
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i32x4.splat(0));
  }
  for (; i < bytes; i += 4) store<f32>(dst + i, 0);
}

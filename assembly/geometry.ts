// Integer helpers for sliding windows (Conv, depthwise Conv, pools): which outputs see only real input.

/** ceil(a / b) for b > 0 and any sign of a. */
@inline export function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

/** First output index o with o * stride + off >= 0 (off = tap offset minus pad). */
@inline export function firstInside(off: i32, stride: i32): i32 {
  return off >= 0 ? 0 : ceilDiv(-off, stride);
}

/** One past the last output index o with o * stride + off <= size - 1 (0 when there is none). */
@inline export function endInside(off: i32, stride: i32, size: i32): i32 {
  const room = size - 1 - off;
  return room < 0 ? 0 : room / stride + 1;
}

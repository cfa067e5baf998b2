// Which WebAssembly kernel the Conv glue picks for the layers of the bundled models (the table in conv.ts), with
// and without SIMD; the kernels themselves are tested against the reference in src/kernels/wasm/conv.test.ts.

import { describe, expect, it } from 'vitest';
import { chooseConvKernel, type ConvGeometry } from './conv.js';

/** A square layer: c -> m channels, k x k kernel at stride s, pad (k - 1) / 2, on an h x h input. */
function layer(c: number, h: number, m: number, k: number, s: number, group = 1): ConvGeometry {
  const pad = (k - 1) >> 1;
  const o = Math.floor((h + 2 * pad - k) / s) + 1;
  return { n: 1, c, h, w: h, m, mPacked: m, group, cg: c / group, kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1, pt: pad, pl: pad, oh: o, ow: o };
}

const CASES: { what: string; g: ConvGeometry; simd: string; scalar: string }[] = [
  { what: 'ResNet-8 3x3, 16 channels', g: layer(16, 32, 16, 3, 1), simd: 'f32_conv3x3_wino2x2_4x8', scalar: 'f32_conv2d_4x8' },
  { what: 'ResNet-8 stem, 3 channels', g: layer(3, 32, 16, 3, 1), simd: 'f32_conv2d_direct_4x8', scalar: 'f32_conv2d_4x8' },
  { what: 'ResNet-8 3x3 stride 2', g: layer(16, 32, 32, 3, 2), simd: 'f32_conv2d_direct_4x8', scalar: 'f32_conv2d_4x8' },
  { what: 'ResNet-8 shortcut 1x1 stride 2', g: layer(16, 32, 32, 1, 2), simd: 'f32_conv2d_4x8', scalar: 'f32_conv2d_4x8' },
  { what: 'MobileNet 1x1', g: layer(32, 56, 96, 1, 1), simd: 'f32_conv2d_4x8', scalar: 'f32_conv2d_4x8' },
  { what: 'MobileNet stem stride 2', g: layer(3, 224, 32, 3, 2), simd: 'f32_conv2d_direct_4x8', scalar: 'f32_conv2d_4x8' },
  { what: 'MobileNet depthwise 3x3 stride 1', g: layer(96, 56, 96, 3, 1, 96), simd: 'f32_dwconv2d_3x3_x4', scalar: 'f32_dwconv2d_x8' },
  { what: 'MobileNet depthwise 3x3 stride 2', g: layer(96, 112, 96, 3, 2, 96), simd: 'f32_dwconv2d_3x3_x4', scalar: 'f32_dwconv2d_x8' },
  { what: 'MobileNet depthwise on a 3x3 map', g: layer(336, 3, 336, 3, 1, 336), simd: 'f32_dwconv2d_c4', scalar: 'f32_dwconv2d_x8' },
  { what: 'depthwise 5x5 on a wide map', g: layer(8, 40, 8, 5, 1, 8), simd: 'f32_dwconv2d_x8', scalar: 'f32_dwconv2d_x8' },
  { what: 'grouped 3x3 (not depthwise)', g: layer(8, 16, 8, 3, 1, 2), simd: 'f32_conv2d_direct_4x8', scalar: 'f32_conv2d_4x8' },
  {
    what: "DS-CNN's first layer (rows of 5 pixels)",
    g: { n: 1, c: 1, h: 49, w: 10, m: 64, mPacked: 64, group: 1, cg: 1, kh: 10, kw: 4, sh: 2, sw: 2, dh: 1, dw: 1, pt: 4, pl: 1, oh: 25, ow: 5 },
    simd: 'f32_conv2d_4x8',
    scalar: 'f32_conv2d_4x8',
  },
];

describe('chooseConvKernel', () => {
  it.each(CASES)('$what: $simd with SIMD, $scalar without', ({ g, simd, scalar }) => {
    expect(chooseConvKernel(g, true)).toBe(simd);
    expect(chooseConvKernel(g, false)).toBe(scalar);
  });

  it('keeps a 3x3 depthwise layer with a pad of 2 off the pad-free kernel', () => {
    const g = { ...layer(8, 20, 8, 3, 1, 8), pt: 2, pl: 2, oh: 22, ow: 22 };
    expect(chooseConvKernel(g, true)).toBe('f32_dwconv2d_x8');
  });
});

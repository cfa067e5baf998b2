// Numeric codes shared with the WebAssembly kernels (assembly/activation.ts, gemm.ts, elementwise.ts), and the
// table from an ONNX activation node to the fused-epilogue code and its two parameters.

import { attrFloat } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';

/** The `act` argument of every kernel with an epilogue. */
export const ACT = {
  none: 0,
  relu: 1,
  /** min(max(x, p0), p1) */
  clip: 2,
  /** x * clamp(x / 6 + 0.5, 0, 1) */
  hardSwish: 3,
  sigmoid: 4,
  tanh: 5,
  /** x < 0 ? p0 * x : x */
  leakyRelu: 6,
  /** clamp(p0 * x + p1, 0, 1) */
  hardSigmoid: 7,
} as const;

export type ActCode = (typeof ACT)[keyof typeof ACT];

/** An activation as the kernels take it: code and two parameters. */
export interface Activation {
  code: ActCode;
  p0: number;
  p1: number;
}

export const NO_ACTIVATION: Activation = { code: ACT.none, p0: 0, p1: 0 };

/**
 * ONNX activation ops that a kernel can apply as its epilogue, with their parameters from attributes.
 * Clip's min/max are inputs since opset 11: the caller passes them when they are constants.
 */
export const FUSABLE_ACTIVATIONS: Record<string, (node: Node, clipMin?: number, clipMax?: number) => Activation> = {
  Relu: () => ({ code: ACT.relu, p0: 0, p1: 0 }),
  Clip: (node, clipMin, clipMax) => ({
    code: ACT.clip,
    p0: clipMin ?? attrFloat(node, 'min', -Infinity),
    p1: clipMax ?? attrFloat(node, 'max', Infinity),
  }),
  HardSwish: () => ({ code: ACT.hardSwish, p0: 0, p1: 0 }),
  Sigmoid: () => ({ code: ACT.sigmoid, p0: 0, p1: 0 }),
  Tanh: () => ({ code: ACT.tanh, p0: 0, p1: 0 }),
  LeakyRelu: (node) => ({ code: ACT.leakyRelu, p0: attrFloat(node, 'alpha', 0.01), p1: 0 }),
  HardSigmoid: (node) => ({ code: ACT.hardSigmoid, p0: attrFloat(node, 'alpha', 0.2), p1: attrFloat(node, 'beta', 0.5) }),
};

/** The `biasMode` argument of f32_gemm_4x8. */
export const BIAS = { none: 0, row: 1, col: 2 } as const;

/** How the second operand of the binary kernels maps onto an [outer, c, inner] result. */
export const BCAST = {
  /** Same shape as the result. */
  none: 0,
  /** One value. */
  scalar: 1,
  /** b[c], one value per channel. */
  channel: 2,
  /** b[inner], one row repeated over outer x c. */
  row: 3,
} as const;

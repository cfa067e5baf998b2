// Weight-only quantization: Conv/Gemm/MatMul weights stored as int8 behind a DequantizeLinear; activations,
// biases and every op stay float (a 4x smaller file, the same float arithmetic up to the weights' rounding).
// before -> after:  y = Conv(x, W, B)  ->  y = Conv(x, DequantizeLinear(Wq, Ws, Wz), B)

import { opKey } from '../../ir/graph.js';
import type { GraphBuilder } from './builder.js';
import { isExcluded, type QuantContext } from './context.js';
import { QUANT_ROLES } from './roles.js';
import { weightedSite } from './sites.js';
import { quantizeSite } from './weighted.js';

export function emitWeightOnly(ctx: QuantContext, b: GraphBuilder): void {
  for (const node of ctx.order) {
    const site = isExcluded(ctx, node) ? undefined : weightedSite(ctx, node);
    if (!site?.weight) {
      b.keep(node);
      continue;
    }
    const inputs = node.inputs.slice();
    // Gemm keeps its alpha: the weight is stored as it is.
    inputs[QUANT_ROLES[opKey(node)]!.weight!] = b.dequantize(quantizeSite(b, { ...site, alpha: 1 }, 'as-is').weight);
    b.keep(node, inputs);
  }
}

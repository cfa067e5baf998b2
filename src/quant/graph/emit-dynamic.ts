// Dynamic quantization (onnxruntime's quantize_dynamic layout): int8 MatMul/Gemm weights, activations quantized
// at run time to uint8 by DynamicQuantizeLinear, an int32 MatMulInteger rescaled in float.
// before -> after:  y = MatMul(a, W)  ->  aq, as, az = DynamicQuantizeLinear(a); acc = MatMulInteger(aq, Wq, az, Wz);
//                                        y = Mul(Cast<float>(acc), Mul(as, Ws))   (Gemm: + Add(beta·C))

import type { Attribute, Node } from '../../ir/graph.js';
import { DTYPES } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { SUFFIX, type GraphBuilder } from './builder.js';
import { isExcluded, type QuantContext } from './context.js';
import { weightedSite, type WeightedSite } from './sites.js';
import { quantizeSite } from './weighted.js';

/** Ops with an integer form in dynamic mode (Conv stays float: ConvInteger is uint8-only in onnxruntime). */
const DYNAMIC_OPS = new Set(['MatMul', 'Gemm']);

const toFloat: Attribute = { type: 'int', value: DTYPES.float32.onnx };

/** The site when the node can be rewritten: a constant weight, no transposed A, a constant bias or none. */
function dynamicSite(ctx: QuantContext, node: Node): WeightedSite | undefined {
  if (!DYNAMIC_OPS.has(node.op) || isExcluded(ctx, node)) return undefined;
  const site = weightedSite(ctx, node);
  if (!site?.weight || site.transA) return undefined;
  const c = node.op === 'Gemm' ? node.inputs[2] : undefined;
  return c && !ctx.constants.has(c) ? undefined : site;
}

export function emitDynamic(ctx: QuantContext, b: GraphBuilder): void {
  /** DynamicQuantizeLinear outputs per activation, shared by every MatMul reading it. */
  const quantized = new Map<string, string[]>();
  for (const node of ctx.order) {
    const site = dynamicSite(ctx, node);
    if (!site) {
      b.keep(node);
      continue;
    }
    const y = node.outputs[0]!;
    const base = node.name || y;
    let a = quantized.get(site.x);
    if (!a) {
      a = [b.name(`${site.x}${SUFFIX.quantized}`), b.name(`${site.x}${SUFFIX.scale}`), b.name(`${site.x}${SUFFIX.zeroPoint}`)];
      b.emit('DynamicQuantizeLinear', [site.x], a);
      quantized.set(site.x, a);
    }
    const { weight } = quantizeSite(b, site, 'matrix');
    const acc = b.name(`${y}_MatMulInteger`);
    b.emit('MatMulInteger', [a[0]!, weight.data, a[2]!, weight.zeroPoint!], [acc], {}, `${base}_MatMulInteger`);
    const accFloat = b.name(`${acc}_cast`);
    b.emit('Cast', [acc], [accFloat], { to: toFloat }, `${base}_cast`);
    const scale = b.name(`${y}_scale`);
    b.emit('Mul', [a[1]!, weight.scale], [scale], {}, `${base}_scale`);
    const c = node.op === 'Gemm' ? node.inputs[2] : undefined;
    const product = c ? b.name(`${y}_MatMul`) : y;
    b.emit('Mul', [accFloat, scale], [product], {}, `${base}_rescale`);
    if (c) b.emit('Add', [product, scaledBias(ctx, b, node, c)], [y], {}, `${base}_bias`);
  }
}

/** beta·C as an initializer (C itself when beta is 1). */
function scaledBias(ctx: QuantContext, b: GraphBuilder, node: Node, c: string): string {
  const beta = node.attrs.get('beta')?.value ?? 1;
  if (beta === 1) return c;
  const t = ctx.constants.get(c)!;
  return b.initializer(`${c}_beta`, new Tensor('float32', t.toFloat32().map((v) => v * (beta as number)), t.dims));
}


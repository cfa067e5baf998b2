// Evaluates the value of a DequantizeLinear output whose inputs are all constants (a quantized weight).

import type { Model } from '../ir/graph.js';
import { EdgeError } from '../errors.js';
import { referenceOps } from '../kernels/ref/index.js';

export function dequantize(model: Model, output: string): Float32Array {
  const node = model.graph.nodes.find((n) => n.op === 'DequantizeLinear' && n.outputs[0] === output);
  const inputs = node?.inputs.map((name) => (name ? model.graph.initializers.get(name) : undefined));
  if (!node || !inputs || inputs.some((t, i) => node.inputs[i] && !t)) {
    throw new EdgeError('INTERNAL', `'${output}' is not a DequantizeLinear of constants`);
  }
  const [y] = referenceOps.DequantizeLinear!.run({ node, opset: model.opsets.get('') ?? 13 }, inputs);
  return y!.toFloat32();
}

// Builds the quantized graph: fresh value and node names, emitted nodes, new initializers, and the cached
// quantization constants (scale / zero-point pairs, int8 weights, int32 biases and their DequantizeLinear).

import type { Attribute, Graph, Node } from '../../ir/graph.js';
import { nameAllocator } from '../../passes/graph-edit.js';
import { Tensor } from '../../tensor/tensor.js';
import type { QParams, QuantizedConstant } from '../weights.js';

/** Names of a quantized constant and of its parameters (no zero point for int32: it is 0 by definition). */
export interface QuantizedRef {
  base: string;
  data: string;
  scale: string;
  zeroPoint?: string;
  axis?: number;
  values: QuantizedConstant;
}

/** Suffixes of generated value names: `x_q` / `x_dq` are the quantized / dequantized x (short: names cost bytes). */
export const SUFFIX = { quantized: '_q', dequantized: '_dq', scale: '_scale', zeroPoint: '_zp' } as const;

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Map<string, Tensor>;
  private readonly freshValue: (base: string) => string;
  private readonly nodeNames: Set<string>;
  private readonly params = new Map<string, [string, string]>();
  private readonly constants = new Map<string, QuantizedRef>();
  private readonly dequantized = new Map<string, string>();

  constructor(graph: Graph) {
    this.initializers = new Map(graph.initializers);
    this.freshValue = nameAllocator(graph);
    this.nodeNames = new Set(graph.nodes.map((n) => n.name));
  }

  /** A value name not used anywhere in the graph yet. */
  name(base: string): string {
    return this.freshValue(base);
  }

  /**
   * Appends a node (default domain); `base` gives it a unique name. Quantize / dequantize steps stay unnamed
   * (their output names say what they are, and names cost bytes in a small int8 file).
   */
  emit(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attribute> = {}, base?: string): Node {
    let name = base ?? '';
    for (let k = 1; base !== undefined && this.nodeNames.has(name); k++) name = `${base}_${k}`;
    this.nodeNames.add(name);
    const node: Node = { op, domain: '', name, inputs, outputs, attrs: new Map(Object.entries(attrs)) };
    this.nodes.push(node);
    return node;
  }

  /** Appends a node of the input graph as it is (or with other inputs / outputs). */
  keep(node: Node, inputs = node.inputs, outputs = node.outputs, attrs = node.attrs): void {
    this.nodes.push({ ...node, inputs, outputs, attrs });
  }

  initializer(base: string, t: Tensor): string {
    const name = this.name(base);
    this.initializers.set(name, t);
    return name;
  }

  /** Scalar scale and zero-point initializers of activation parameters, shared by every tensor with the same values. */
  scalarParams(tensor: string, p: QParams): [string, string] {
    const key = `${p.scale}|${p.zeroPoint}|${p.dtype}`;
    let names = this.params.get(key);
    if (!names) {
      names = [
        this.initializer(`${tensor}${SUFFIX.scale}`, new Tensor('float32', Float32Array.of(p.scale), [])),
        this.initializer(`${tensor}${SUFFIX.zeroPoint}`, new Tensor(p.dtype, [p.zeroPoint], [])),
      ];
      this.params.set(key, names);
    }
    return names;
  }

  /**
   * Stores a quantized constant once per key (a weight read by several nodes is stored once): the data,
   * its scale (scalar or 1-D) and a zero point of the data's dtype shaped like the scale.
   */
  quantized(key: string, base: string, make: () => QuantizedConstant): QuantizedRef {
    let ref = this.constants.get(key);
    if (!ref) {
      const values = make();
      const dims = values.axis === undefined ? [] : [values.scale.length];
      const zp = values.data.type === 'int32' ? undefined : Tensor.fromNumbers(values.data.type, values.zeroPoint, dims);
      ref = {
        base,
        data: this.initializer(`${base}${SUFFIX.quantized}`, values.data),
        scale: this.initializer(`${base}${SUFFIX.scale}`, new Tensor('float32', values.scale, dims)),
        ...(zp ? { zeroPoint: this.initializer(`${base}${SUFFIX.zeroPoint}`, zp) } : {}),
        values,
        ...(values.axis === undefined ? {} : { axis: values.axis }),
      };
      this.constants.set(key, ref);
    }
    return ref;
  }

  /** The float value of a quantized constant: one DequantizeLinear per constant, emitted where first needed. */
  dequantize(ref: QuantizedRef): string {
    let out = this.dequantized.get(ref.data);
    if (!out) {
      out = this.name(`${ref.base}${SUFFIX.dequantized}`);
      const attrs: Record<string, Attribute> = ref.axis === undefined ? {} : { axis: { type: 'int', value: ref.axis } };
      const inputs = ref.zeroPoint ? [ref.data, ref.scale, ref.zeroPoint] : [ref.data, ref.scale];
      this.emit('DequantizeLinear', inputs, [out], attrs);
      this.dequantized.set(ref.data, out);
    }
    return out;
  }
}

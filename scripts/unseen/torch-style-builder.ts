// Builds CNN graphs in edgeinfer's IR the way torch.onnx.export writes them: node names `/scope/Op`, values
// `/scope/Op_output_0`, weights `scope.weight` (or `onnx::Conv_<n>` when a BatchNorm was folded into the conv),
// Conv with bias, ReLU6 as Clip with Constant min/max, a symbolic 'batch' dim on the input and the output.
// Weights are seeded (He-scaled normal) so a model is the same bytes on every run.

import type { Attribute, Model, Node } from '../../src/ir/graph.js';
import { randomTensor, seededRandom } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

export interface ConvSpec {
  out: number;
  kernel: [number, number];
  stride?: [number, number];
  pads?: [number, number, number, number];
  group?: number;
}

const ints = (value: number[]): Attribute => ({ type: 'ints', value });
const int = (value: number): Attribute => ({ type: 'int', value });
const float = (value: number): Attribute => ({ type: 'float', value });

/** Output length of a convolution or pooling window along one axis. */
const outputSize = (n: number, kernel: number, stride: number, padding: number) => Math.floor((n + padding - kernel) / stride) + 1;

export class TorchStyleBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly usedNames = new Set<string>();
  /** Shape of every value built so far, without the batch dim: [C, H, W] or [features]. */
  private readonly shapes = new Map<string, number[]>();
  private tensorSeed: number;
  private onnxIds = 100; // torch numbers the initializers it creates; any increasing counter reads the same

  /**
   * @param foldBatchNorm true: a conv's BatchNorm is folded into its weights (torch's eval export with constant
   *   folding); false: BatchNormalization nodes are kept (training=PRESERVE / do_constant_folding=False).
   */
  constructor(
    readonly input: { name: string; shape: [number, ...number[]] },
    readonly foldBatchNorm: boolean,
    seed: number,
  ) {
    this.tensorSeed = seed * 1000;
    this.shapes.set(input.name, input.shape);
  }

  shapeOf(value: string): number[] {
    return this.shapes.get(value)!;
  }

  channelsOf(value: string): number {
    return this.shapeOf(value)[0]!;
  }

  /** A node `/scope/Op` (made unique as torch does: `Op_1`, `Op_2` …) with outputs `/scope/Op_output_k`. */
  private node(scope: string, op: string, inputs: string[], attrs: Record<string, Attribute> = {}, outputs = 1): string[] {
    let base = `${scope}/${op}`;
    for (let k = 1; this.usedNames.has(base); k++) base = `${scope}/${op}_${k}`;
    this.usedNames.add(base);
    const outs = Array.from({ length: outputs }, (_, k) => `${base}_output_${k}`);
    this.nodes.push({ op, domain: '', name: base, inputs, outputs: outs, attrs: new Map(Object.entries(attrs)) });
    return outs;
  }

  private weight(name: string, dims: number[], scale: number): string {
    const t = randomTensor('float32', dims, this.tensorSeed++);
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = data[i]! * scale;
    this.initializers.set(name, t);
    return name;
  }

  /** Values uniform in [lo, hi), for BatchNorm statistics. */
  private uniform(name: string, n: number, lo: number, hi: number): string {
    const rand = seededRandom(this.tensorSeed++);
    this.initializers.set(name, new Tensor('float32', Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()), [n]));
    return name;
  }

  /** Conv (with bias), then BatchNorm kept or folded: the weights of a folded conv get torch's `onnx::Conv_<n>` names. */
  conv(x: string, scope: string, s: ConvSpec, withBatchNorm = true): string {
    const cin = this.channelsOf(x);
    const group = s.group ?? 1;
    const [kh, kw] = s.kernel;
    const pads = s.pads ?? [Math.floor(kh / 2), Math.floor(kw / 2), Math.floor(kh / 2), Math.floor(kw / 2)];
    const stride = s.stride ?? [1, 1];
    const fanIn = (cin / group) * kh * kw;
    const keepNames = !withBatchNorm || !this.foldBatchNorm;
    const wName = keepNames ? `${scope.slice(1).replaceAll('/', '.')}.weight` : `onnx::Conv_${this.onnxIds++}`;
    const bName = keepNames ? `${scope.slice(1).replaceAll('/', '.')}.bias` : `onnx::Conv_${this.onnxIds++}`;
    const w = this.weight(wName, [s.out, cin / group, kh, kw], Math.sqrt(2 / fanIn));
    const b = this.weight(bName, [s.out], 0.05);
    const [y] = this.node(scope, 'Conv', [x, w, b], {
      dilations: ints([1, 1]),
      group: int(group),
      kernel_shape: ints([kh, kw]),
      pads: ints(pads),
      strides: ints(stride),
    });
    const [, height, width] = this.shapeOf(x) as [number, number, number];
    this.shapes.set(y!, [s.out, outputSize(height, kh, stride[0], pads[0] + pads[2]), outputSize(width, kw, stride[1], pads[1] + pads[3])]);
    return withBatchNorm && !this.foldBatchNorm ? this.batchNorm(y!, `${scope}/bn`) : y!;
  }

  batchNorm(x: string, scope: string): string {
    const c = this.channelsOf(x);
    const p = scope.slice(1).replaceAll('/', '.');
    const inputs = [x, this.uniform(`${p}.weight`, c, 0.5, 1.5), this.weight(`${p}.bias`, [c], 0.1), this.weight(`${p}.running_mean`, [c], 0.1), this.uniform(`${p}.running_var`, c, 0.5, 1.5)];
    return this.same(x, this.node(scope, 'BatchNormalization', inputs, { epsilon: float(1e-5), momentum: float(0.9) })[0]!);
  }

  private same(x: string, y: string, shape = this.shapeOf(x)): string {
    this.shapes.set(y, shape);
    return y;
  }

  private pooled(x: string, y: string, kernel: [number, number]): string {
    const [c, h, w] = this.shapeOf(x) as [number, number, number];
    return this.same(x, y, [c, outputSize(h, kernel[0], kernel[0], 0), outputSize(w, kernel[1], kernel[1], 0)]);
  }

  relu(x: string, scope: string): string {
    return this.same(x, this.node(scope, 'Relu', [x])[0]!);
  }

  /** ReLU6 as torch exports it at opset ≥ 11: Clip(x, Constant 0, Constant 6). */
  relu6(x: string, scope: string): string {
    const scalar = (v: number): Attribute => ({ type: 'tensor', value: new Tensor('float32', Float32Array.of(v), []) });
    const [lo] = this.node(scope, 'Constant', [], { value: scalar(0) });
    const [hi] = this.node(scope, 'Constant', [], { value: scalar(6) });
    return this.same(x, this.node(scope, 'Clip', [x, lo!, hi!])[0]!);
  }

  add(a: string, b: string, scope: string): string {
    return this.same(a, this.node(scope, 'Add', [a, b])[0]!);
  }

  maxPool(x: string, scope: string, k: number): string {
    const attrs = { ceil_mode: int(0), kernel_shape: ints([k, k]), pads: ints([0, 0, 0, 0]), strides: ints([k, k]) };
    return this.pooled(x, this.node(scope, 'MaxPool', [x], attrs)[0]!, [k, k]);
  }

  /** nn.AvgPool2d with the map's size as a fixed kernel (as the KWS and CIFAR ResNets pool). */
  averagePool(x: string, scope: string): string {
    const kernel = this.shapeOf(x).slice(1) as [number, number];
    const attrs = { ceil_mode: int(0), kernel_shape: ints(kernel), pads: ints([0, 0, 0, 0]), strides: ints(kernel) };
    return this.pooled(x, this.node(scope, 'AveragePool', [x], attrs)[0]!, kernel);
  }

  /** nn.AdaptiveAvgPool2d(1). */
  globalAveragePool(x: string, scope: string): string {
    return this.same(x, this.node(scope, 'GlobalAveragePool', [x])[0]!, [this.channelsOf(x), 1, 1]);
  }

  flatten(x: string, scope: string): string {
    return this.same(x, this.node(scope, 'Flatten', [x], { axis: int(1) })[0]!, [this.shapeOf(x).reduce((a, b) => a * b, 1)]);
  }

  /** nn.Linear: Gemm with transB; `output` names the graph output when it is the last layer. */
  linear(x: string, scope: string, out: number, output?: string): string {
    const p = scope.slice(1).replaceAll('/', '.');
    const cin = this.channelsOf(x);
    const w = this.weight(`${p}.weight`, [out, cin], Math.sqrt(1 / cin));
    const b = this.weight(`${p}.bias`, [out], 0.05);
    const [y] = this.node(scope, 'Gemm', [x, w, b], { alpha: float(1), beta: float(1), transB: int(1) });
    if (output) this.nodes[this.nodes.length - 1]!.outputs[0] = output;
    this.shapes.set(output ?? y!, [out]);
    return output ?? y!;
  }

  /** The model: input and output with the symbolic 'batch' dim, as torch's dynamic_axes write them. */
  finish(output: string, opset: number, graphName = 'main_graph'): Model {
    return {
      graph: {
        name: graphName,
        nodes: this.nodes,
        inputs: [{ name: this.input.name, type: { dtype: 'float32', shape: ['batch', ...this.input.shape] } }],
        outputs: [{ name: output, type: { dtype: 'float32', shape: ['batch', this.channelsOf(output)] } }],
        initializers: this.initializers,
        valueInfo: new Map(),
      },
      opsets: new Map([['', opset]]),
      irVersion: 8,
      producerName: 'edgeinfer',
      producerVersion: '',
      metadata: new Map([['source', 'edgeinfer scripts/make-unseen-models.ts (seeded random weights)']]),
    };
  }
}

// The graph quantizer: a float model and calibrated ranges in, an int8 model out (IR -> IR, pure), in the
// layouts of onnxruntime's quantize_static / quantize_dynamic so that onnxruntime and edgeinfer both run it.

import { EdgeError } from '../errors.js';
import { isDefaultDomain, type Model } from '../ir/graph.js';
import { verifyModel } from '../ir/verify.js';
import { referenceOps } from '../kernels/ref/index.js';
import { eliminateDeadPass } from '../passes/eliminate-dead.js';
import { analyzeUses } from '../passes/graph-edit.js';
import { GraphBuilder } from './graph/builder.js';
import type { QuantContext, QuantFormat, QuantMode, ResolvedOptions } from './graph/context.js';
import { emitDynamic } from './graph/emit-dynamic.js';
import { emitQdq } from './graph/emit-qdq.js';
import { emitQOperator } from './graph/emit-qoperator.js';
import { emitWeightOnly } from './graph/emit-weight-only.js';
import type { ActivationType, Range } from './weights.js';

export type { QuantFormat, QuantMode } from './graph/context.js';
export { prepareForQuantization } from './graph/prepare.js';

export interface QuantizeOptions {
  /** 'qdq' (default): QuantizeLinear/DequantizeLinear around float ops. 'qoperator': QLinearConv / QLinearMatMul. */
  format?: QuantFormat;
  /** 'static' (default, needs ranges), 'dynamic' (MatMul/Gemm, activations quantized at run time), 'weight-only'. */
  mode?: QuantMode;
  /** Symmetric int8 weight scales per output channel (default true); per tensor when false. */
  perChannel?: boolean;
  /** Activations: 'int8' (default) or 'uint8', asymmetric. Dynamic mode always uses uint8 (DynamicQuantizeLinear). */
  activationType?: ActivationType;
  weightType?: 'int8';
  /** Nodes left in float, by node name or op type. */
  exclude?: { nodes?: string[]; opTypes?: string[] };
  /**
   * QDQ: also quantize the values that are graph outputs (default true, as onnxruntime). Left in float,
   * the logits keep their precision: an int8 step on a wide logit range can flip close top-1 decisions.
   */
  quantizeGraphOutputs?: boolean;
}

type Emitter = (ctx: QuantContext, b: GraphBuilder) => void;

const EMITTERS: Record<string, Emitter> = {
  'static/qdq': emitQdq,
  'static/qoperator': emitQOperator,
  dynamic: emitDynamic,
  'weight-only': emitWeightOnly,
};

/** Lowest default-domain opset per mode: per-axis DequantizeLinear needs 13, DynamicQuantizeLinear 11. */
function minOpset(o: ResolvedOptions): { opset: number; why: string } {
  if (o.mode === 'dynamic') return { opset: 11, why: 'DynamicQuantizeLinear' };
  if (o.perChannel && (o.mode === 'weight-only' || o.format === 'qdq')) return { opset: 13, why: 'per-channel DequantizeLinear (axis)' };
  return { opset: 10, why: 'QuantizeLinear / DequantizeLinear' };
}

function oneOf<T extends string>(what: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new EdgeError('INPUT_INVALID', `quantizeGraph: ${what} '${String(value)}' is not supported; expected ${allowed.join(', ')}`, {
      expected: allowed,
      actual: value,
    });
  }
  return value;
}

export function resolveOptions(options: QuantizeOptions, model: Model): ResolvedOptions {
  const resolved: ResolvedOptions = {
    format: oneOf('format', options.format, ['qdq', 'qoperator'], 'qdq'),
    mode: oneOf('mode', options.mode, ['static', 'dynamic', 'weight-only'], 'static'),
    perChannel: options.perChannel ?? true,
    activationType: oneOf('activationType', options.activationType, ['int8', 'uint8'], 'int8'),
    weightType: oneOf('weightType', options.weightType, ['int8'], 'int8'),
    excludeNodes: new Set(options.exclude?.nodes ?? []),
    excludeOpTypes: new Set(options.exclude?.opTypes ?? []),
    quantizeGraphOutputs: options.quantizeGraphOutputs ?? true,
  };
  const names = new Set(model.graph.nodes.map((n) => n.name));
  const unknown = [...resolved.excludeNodes].filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new EdgeError('INPUT_INVALID', `quantizeGraph: exclude.nodes names no node of the model: ${unknown.map((n) => `'${n}'`).join(', ')}`, {
      details: unknown,
    });
  }
  return resolved;
}

/**
 * Quantizes a float model. Give it the standard ONNX model (before edgeinfer's graph optimizations, which add
 * edgeinfer-domain ops no other runtime loads), and ranges calibrated on that same model: keyed by value name.
 * The input model is not modified.
 */
export function quantizeGraph(model: Model, ranges: ReadonlyMap<string, Range>, options: QuantizeOptions = {}): Model {
  const resolved = resolveOptions(options, model);
  const foreign = model.graph.nodes.filter((n) => !isDefaultDomain(n.domain));
  if (foreign.length > 0) {
    const ops = [...new Set(foreign.map((n) => `${n.domain}.${n.op}`))].join(', ');
    throw new EdgeError('INPUT_INVALID', `quantizeGraph: the model has non-standard ops (${ops}); quantize the model before graph optimization`, {
      details: foreign.map((n) => n.name),
    });
  }
  const opset = model.opsets.get('') ?? model.opsets.get('ai.onnx') ?? 1;
  const need = minOpset(resolved);
  if (opset < need.opset) {
    throw new EdgeError('INPUT_INVALID', `quantizeGraph: ${need.why} needs opset ${need.opset}, the model has opset ${opset}${resolved.perChannel ? '; pass perChannel: false or convert the model' : ''}`, {
      expected: need.opset,
      actual: opset,
    });
  }
  const verified = verifyModel(model, referenceOps);
  const ctx: QuantContext = {
    model,
    order: verified.order,
    types: verified.types,
    constants: verified.constants,
    uses: analyzeUses(model.graph),
    opset,
    options: resolved,
    ranges,
  };
  const b = new GraphBuilder(model.graph);
  EMITTERS[resolved.mode === 'static' ? `static/${resolved.format}` : resolved.mode]!(ctx, b);
  const metadata = new Map(model.metadata);
  const { format, mode, perChannel, activationType } = resolved;
  metadata.set('edgeinfer.quantization', JSON.stringify({ format, mode, perChannel, activationType }));
  const out: Model = { ...model, metadata, graph: { ...model.graph, nodes: b.nodes, initializers: b.initializers } };
  // Float weights replaced by int8 copies (and Constant nodes that only fed them) go.
  return eliminateDeadPass.run(out, { ops: referenceOps });
}

// Verifies a model against the op table and infers every value's type and shape: unsupported ops
// (all at once), dangling references, cycles, dtype and rank mismatches, absurd sizes. Values that
// are known at load time (initializers, Constant nodes, shape computations) are folded on the way.

import { EdgeError } from '../errors.js';
import { callKernel, opKey, type InferContext, type OpTable } from '../kernels/op-def.js';
import { formatShape, MAX_ELEMENTS } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { describeNode, type Dim, type Model, type Node, type ValueType } from './graph.js';
import { topologicalOrder } from './topo.js';

export interface VerifiedGraph {
  /** Nodes in execution order. */
  order: Node[];
  /** Inferred (or declared) type of every value. */
  types: Map<string, ValueType>;
  /** Values known at load time: initializers not overridable by a feed, and folded node outputs. */
  constants: Map<string, Tensor>;
  /** Graph inputs that must be fed (not backed by an initializer). */
  feedInputs: string[];
  opset: number;
}

/** Outputs up to this many elements are computed at load time when all their inputs are known. */
const FOLD_LIMIT_ELEMENTS = 1 << 16;

/** Ops whose output follows from input types alone (no data): folded when the shape is static. */
const TYPE_FOLDERS: Record<string, (node: Node, inputs: (ValueType | undefined)[]) => Tensor | undefined> = {
  Shape: (node, [x]) => {
    const dims = staticShape(x?.shape);
    if (!dims) return undefined;
    const rank = dims.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const start = clamp(Number(node.attrs.get('start')?.value ?? 0));
    const end = clamp(Number(node.attrs.get('end')?.value ?? rank));
    return new Tensor('int64', BigInt64Array.from(dims.slice(start, Math.max(start, end)), BigInt), [Math.max(0, end - start)]);
  },
  Size: (_node, [x]) => {
    const dims = staticShape(x?.shape);
    return dims ? new Tensor('int64', [BigInt(dims.reduce((a, b) => a * b, 1))], []) : undefined;
  },
};

export function verifyModel(model: Model, ops: OpTable): VerifiedGraph {
  const graph = model.graph;
  const opset = model.opsets.get('') ?? 1;
  checkSupported(model, ops);

  const defined = new Set<string>();
  const types = new Map<string, ValueType>();
  const constants = new Map<string, Tensor>();
  const inputNames = new Set(graph.inputs.map((i) => i.name));

  for (const [name, t] of graph.initializers) {
    defined.add(name);
    types.set(name, { dtype: t.type, shape: t.dims.slice() });
    if (!inputNames.has(name)) constants.set(name, t);
  }
  const feedInputs: string[] = [];
  for (const input of graph.inputs) {
    if (!input.name) throw new EdgeError('MODEL_INVALID', 'graph has an input without a name');
    const init = graph.initializers.get(input.name);
    if (!init) {
      if (defined.has(input.name)) throw new EdgeError('MODEL_INVALID', `graph input '${input.name}' is declared twice`);
      feedInputs.push(input.name);
      if (!input.type) throw new EdgeError('MODEL_INVALID', `graph input '${input.name}' has no type`, { input: input.name });
      checkDeclaredShape(input.type, `graph input '${input.name}'`);
      types.set(input.name, input.type);
    }
    defined.add(input.name);
  }
  for (const node of graph.nodes) {
    for (const out of node.outputs) {
      if (!out) continue;
      if (defined.has(out)) {
        throw new EdgeError('MODEL_INVALID', `${describeNode(node)}: output '${out}' is already defined by another node, input or initializer`, {
          node: node.name,
          op: node.op,
        });
      }
      defined.add(out);
    }
  }
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input && !defined.has(input)) {
        throw new EdgeError('MODEL_INVALID', `${describeNode(node)}: input '${input}' is not defined by any node, graph input or initializer`, {
          node: node.name,
          op: node.op,
          input,
        });
      }
    }
  }
  for (const output of graph.outputs) {
    if (!defined.has(output.name)) throw new EdgeError('MODEL_INVALID', `graph output '${output.name}' is not produced by any node or input`);
  }

  const order = topologicalOrder(graph);
  const declared = new Map(graph.valueInfo);
  for (const o of graph.outputs) if (o.type) declared.set(o.name, o.type);
  for (const node of order) inferNode(node, ops, opset, types, constants, declared);

  for (const output of graph.outputs) {
    const inferred = types.get(output.name);
    if (output.type && inferred && output.type.dtype !== inferred.dtype) {
      throw new EdgeError('DTYPE_MISMATCH', `graph output '${output.name}' is declared ${output.type.dtype} but computed as ${inferred.dtype}`, {
        expected: output.type.dtype,
        actual: inferred.dtype,
      });
    }
  }
  return { order, types, constants, feedInputs, opset };
}

function checkSupported(model: Model, ops: OpTable): void {
  const missing = new Map<string, number>();
  for (const node of model.graph.nodes) {
    const key = opKey(node);
    if (!Object.prototype.hasOwnProperty.call(ops, key)) missing.set(key, (missing.get(key) ?? 0) + 1);
  }
  if (missing.size > 0) {
    const list = [...missing].map(([op, n]) => (n > 1 ? `${op} (${n} nodes)` : op)).join(', ');
    throw new EdgeError('OP_UNSUPPORTED', `the model uses ${missing.size} unsupported op${missing.size > 1 ? 's' : ''}: ${list}`, {
      details: [...missing.keys()],
    });
  }
}

function inferNode(
  node: Node,
  ops: OpTable,
  opset: number,
  types: Map<string, ValueType>,
  constants: Map<string, Tensor>,
  declared: Map<string, ValueType>,
): void {
  const op = ops[opKey(node)]!;
  const inputTypes = node.inputs.map((name) => (name ? types.get(name) : undefined));
  const ctx: InferContext = { node, opset, constant: (i) => (node.inputs[i] ? constants.get(node.inputs[i]!) : undefined) };
  let outputTypes: ValueType[];
  try {
    outputTypes = op.infer(ctx, inputTypes);
  } catch (err) {
    if (err instanceof EdgeError) throw err;
    throw new EdgeError('INTERNAL', `${describeNode(node)}: shape inference failed: ${(err as Error).message}`, { node: node.name, op: node.op, cause: err });
  }
  node.outputs.forEach((name, i) => {
    if (!name) return;
    const t = outputTypes[i];
    if (!t) {
      throw new EdgeError('MODEL_INVALID', `${describeNode(node)}: has ${node.outputs.length} outputs, but ${node.op} produces ${outputTypes.length}`, {
        node: node.name,
        op: node.op,
      });
    }
    const merged = mergeDeclared(t, declared.get(name));
    checkStaticSize(merged, `${describeNode(node)} output '${name}'`);
    types.set(name, merged);
  });
  foldNode(node, op, ctx, inputTypes, types, constants);
}

function foldNode(
  node: Node,
  op: OpTable[string],
  ctx: InferContext,
  inputTypes: (ValueType | undefined)[],
  types: Map<string, ValueType>,
  constants: Map<string, Tensor>,
): void {
  const folder = TYPE_FOLDERS[node.op];
  if (folder) {
    const value = folder(node, inputTypes);
    if (value && node.outputs[0]) constants.set(node.outputs[0], value);
    return;
  }
  const inputsKnown = node.inputs.every((name) => !name || constants.has(name));
  const outputsSmall = node.outputs.every((name) => {
    const dims = staticShape(name ? types.get(name)?.shape : []);
    return dims !== undefined && dims.reduce((a, b) => a * b, 1) <= FOLD_LIMIT_ELEMENTS;
  });
  if (!inputsKnown || !outputsSmall || node.op === 'RandomNormal' || node.op === 'RandomUniform') return;
  const values = callKernel(op, ctx, node.inputs.map((name) => (name ? constants.get(name) : undefined)));
  node.outputs.forEach((name, i) => name && values[i] && constants.set(name, values[i]!));
}

/** Prefer inferred dims; fill the unknown ones from the model's own value_info. */
function mergeDeclared(inferred: ValueType, declared: ValueType | undefined): ValueType {
  if (!declared?.shape) return inferred;
  if (!inferred.shape) return { dtype: inferred.dtype, shape: declared.shape.slice() };
  if (inferred.shape.length !== declared.shape.length) return inferred;
  return { dtype: inferred.dtype, shape: inferred.shape.map((d, i) => d ?? declared.shape![i]) };
}

function checkDeclaredShape(type: ValueType, where: string): void {
  checkStaticSize(type, where);
}

function checkStaticSize(type: ValueType, where: string): void {
  if (!type.shape) return;
  let n = 1;
  for (const d of type.shape) if (typeof d === 'number') n *= d;
  if (n > MAX_ELEMENTS) {
    throw new EdgeError('LIMIT_EXCEEDED', `${where}: shape ${formatShape(type.shape.map((d) => d ?? '?'))} would hold ${n.toExponential(2)} elements, more than the limit of ${MAX_ELEMENTS}`, {
      actual: type.shape,
    });
  }
}

export function staticShape(shape: Dim[] | undefined): number[] | undefined {
  if (!shape || !shape.every((d) => typeof d === 'number')) return undefined;
  return shape as number[];
}

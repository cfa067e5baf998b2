// ONNX ModelProto bytes → IR Model. Every malformed piece becomes an EdgeError naming where it is.

import { EdgeError } from '../../errors.js';
import type { Attribute, AttrType, Dim, Graph, Model, Node, ValueInfo, ValueType } from '../../ir/graph.js';
import { dtypeFromOnnx } from '../../tensor/dtype.js';
import { MAX_ELEMENTS } from '../../tensor/shape.js';
import { ATTR_TYPE, ModelProto, type PbInt } from './onnx-schema.js';
import { tensorFromProto, toNumber, type ExternalDataReader, type TensorProtoMessage } from './tensor-proto.js';

export interface ReadOptions {
  /** Reads weights stored beside the model (external data); absent when loading from bytes. */
  readExternal?: ExternalDataReader;
}

/** Opset range whose semantics the kernels implement. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 18;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Msg = any;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function readOnnx(bytes: Uint8Array, options: ReadOptions = {}): Model {
  if (bytes.length === 0) throw new EdgeError('MODEL_INVALID', 'ONNX model: the file is empty');
  let msg: Msg;
  try {
    msg = ModelProto.decode(bytes);
  } catch (err) {
    throw new EdgeError('MODEL_INVALID', `ONNX model: cannot be decoded (${(err as Error).message}); is the file truncated or not an ONNX model?`, {
      cause: err,
    });
  }
  if (!msg.graph) throw new EdgeError('MODEL_INVALID', 'ONNX model: no graph found; this does not look like an ONNX model');

  const opsets = new Map<string, number>();
  for (const o of msg.opset_import as Msg[]) {
    const domain = o.domain === 'ai.onnx' ? '' : String(o.domain ?? '');
    opsets.set(domain, toNumber(o.version));
  }
  if (!opsets.has('')) {
    if (opsets.size === 0 && toNumber(msg.ir_version) < 3) opsets.set('', 1);
    else if (opsets.size === 0) throw new EdgeError('MODEL_INVALID', 'ONNX model: no opset_import, so the operator semantics are unknown');
  }
  const version = opsets.get('');
  if (version !== undefined && version > MAX_OPSET + 4) {
    throw new EdgeError('MODEL_INVALID', `ONNX model: default-domain opset ${version} is newer than edgeinfer supports (${MIN_OPSET}..${MAX_OPSET})`, {
      expected: `${MIN_OPSET}..${MAX_OPSET}`,
      actual: version,
    });
  }

  const metadata = new Map<string, string>();
  for (const e of msg.metadata_props as Msg[]) metadata.set(e.key, e.value);

  return {
    graph: readGraph(msg.graph, 'graph', options),
    opsets,
    irVersion: toNumber(msg.ir_version),
    producerName: msg.producer_name ?? '',
    producerVersion: msg.producer_version ?? '',
    metadata,
  };
}

function readGraph(g: Msg, where: string, options: ReadOptions): Graph {
  const initializers = new Map<string, import('../../tensor/tensor.js').Tensor>();
  for (const [i, t] of (g.initializer as TensorProtoMessage[]).entries()) {
    const name = t.name || `initializer#${i}`;
    initializers.set(name, tensorFromProto(t, `initializer '${name}'`, options.readExternal));
  }
  if ((g.sparse_initializer as Msg[]).length > 0) {
    throw new EdgeError('MODEL_INVALID', `${where}: sparse initializers are not supported`);
  }
  const valueInfo = new Map<string, ValueType>();
  for (const v of g.value_info as Msg[]) {
    const info = readValueInfo(v, `value_info '${v.name}'`);
    if (info.type) valueInfo.set(info.name, info.type);
  }
  return {
    name: g.name || 'main',
    nodes: (g.node as Msg[]).map((n, i) => readNode(n, i, options)),
    inputs: (g.input as Msg[]).map((v) => readValueInfo(v, `graph input '${v.name}'`)),
    outputs: (g.output as Msg[]).map((v) => readValueInfo(v, `graph output '${v.name}'`)),
    initializers,
    valueInfo,
    doc: g.doc_string || undefined,
  };
}

function readValueInfo(v: Msg, where: string): ValueInfo {
  const info: ValueInfo = { name: v.name };
  if (v.doc_string) info.doc = v.doc_string;
  const tt = v.type?.tensor_type;
  if (!v.type) return info;
  if (!tt) {
    const kind = v.type.value ?? 'unknown';
    throw new EdgeError('MODEL_INVALID', `${where}: ${String(kind).replace('_type', '')} values are not supported, only tensors`);
  }
  const dtype = dtypeFromOnnx(tt.elem_type);
  if (dtype === undefined) {
    const what = tt.elem_type === 8 ? 'string' : `data type ${tt.elem_type}`;
    throw new EdgeError('DTYPE_MISMATCH', `${where}: ${what} tensors are not supported`, { actual: tt.elem_type });
  }
  const type: ValueType = { dtype };
  if (tt.shape) type.shape = (tt.shape.dim as Msg[]).map((d) => readDim(d, where));
  info.type = type;
  return info;
}

function readDim(d: Msg, where: string): Dim {
  if (d.value === 'dim_value') {
    const n = toNumber(d.dim_value);
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ELEMENTS) {
      throw new EdgeError('MODEL_INVALID', `${where}: dimension ${n} is not a valid size (0..${MAX_ELEMENTS})`, { actual: n });
    }
    return n;
  }
  if (d.value === 'dim_param' && d.dim_param) return String(d.dim_param);
  return undefined;
}

function readNode(n: Msg, index: number, options: ReadOptions): Node {
  const node: Node = {
    op: n.op_type ?? '',
    domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''),
    name: n.name || '',
    inputs: (n.input as string[]).slice(),
    outputs: (n.output as string[]).slice(),
    attrs: new Map(),
  };
  if (n.doc_string) node.doc = n.doc_string;
  const where = `node #${index} ${node.op} '${node.name}'`;
  if (!node.op) throw new EdgeError('MODEL_INVALID', `node #${index}: has no op_type`);
  for (const a of n.attribute as Msg[]) node.attrs.set(a.name, readAttribute(a, `${where} attribute '${a.name}'`, options));
  return node;
}

const ATTR_NAMES: Record<number, AttrType> = {
  [ATTR_TYPE.FLOAT]: 'float',
  [ATTR_TYPE.INT]: 'int',
  [ATTR_TYPE.STRING]: 'string',
  [ATTR_TYPE.TENSOR]: 'tensor',
  [ATTR_TYPE.GRAPH]: 'graph',
  [ATTR_TYPE.FLOATS]: 'floats',
  [ATTR_TYPE.INTS]: 'ints',
  [ATTR_TYPE.STRINGS]: 'strings',
  [ATTR_TYPE.TENSORS]: 'tensors',
  [ATTR_TYPE.GRAPHS]: 'graphs',
};

function readAttribute(a: Msg, where: string, options: ReadOptions): Attribute {
  if (a.ref_attr_name) throw new EdgeError('MODEL_INVALID', `${where}: attribute references are only valid inside functions`);
  const type = ATTR_NAMES[a.type as number] ?? inferAttrType(a);
  switch (type) {
    case 'float':
      return { type, value: a.f ?? 0 };
    case 'int':
      return { type, value: toNumber(a.i) };
    case 'string':
      return { type, value: utf8.decode(a.s ?? new Uint8Array()) };
    case 'tensor':
      return { type, value: tensorFromProto(a.t, where, options.readExternal) };
    case 'graph':
      return { type, value: readGraph(a.g, where, options) };
    case 'floats':
      return { type, value: (a.floats as number[]).slice() };
    case 'ints':
      return { type, value: (a.ints as PbInt[]).map(toNumber) };
    case 'strings':
      return { type, value: (a.strings as Uint8Array[]).map((s) => utf8.decode(s)) };
    case 'tensors':
      return { type, value: (a.tensors as TensorProtoMessage[]).map((t) => tensorFromProto(t, where, options.readExternal)) };
    case 'graphs':
      return { type, value: (a.graphs as Msg[]).map((g) => readGraph(g, where, options)) };
    default:
      throw new EdgeError('MODEL_INVALID', `${where}: attribute type ${a.type} is not supported`, { actual: a.type });
  }
}

/** IR version 1 files may leave `type` unset; infer it from the field that holds a value. */
function inferAttrType(a: Msg): AttrType | undefined {
  if (a.floats?.length) return 'floats';
  if (a.ints?.length) return 'ints';
  if (a.strings?.length) return 'strings';
  if (a.tensors?.length) return 'tensors';
  if (a.t) return 'tensor';
  if (a.g) return 'graph';
  if (a.s?.length) return 'string';
  if (a.i !== undefined && toNumber(a.i) !== 0) return 'int';
  if (a.f !== undefined && a.f !== 0) return 'float';
  return undefined;
}

// IR Model → ONNX ModelProto bytes (weights in raw_data), the inverse of the reader.

import type { Attribute, Dim, Graph, Model, ValueInfo } from '../../ir/graph.js';
import { DTYPES } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ATTR_TYPE, ModelProto } from './onnx-schema.js';
import { tensorToProto } from './tensor-proto.js';

const ATTR_CODES: Record<Attribute['type'], number> = {
  float: ATTR_TYPE.FLOAT,
  int: ATTR_TYPE.INT,
  string: ATTR_TYPE.STRING,
  tensor: ATTR_TYPE.TENSOR,
  graph: ATTR_TYPE.GRAPH,
  floats: ATTR_TYPE.FLOATS,
  ints: ATTR_TYPE.INTS,
  strings: ATTR_TYPE.STRINGS,
  tensors: ATTR_TYPE.TENSORS,
  graphs: ATTR_TYPE.GRAPHS,
};

const utf8 = new TextEncoder();

export function writeOnnx(model: Model): Uint8Array {
  const message = {
    ir_version: model.irVersion || 8,
    producer_name: model.producerName || 'edgeinfer',
    producer_version: model.producerVersion,
    opset_import: [...model.opsets].map(([domain, version]) => ({ domain, version })),
    graph: graphToProto(model.graph),
    metadata_props: [...model.metadata].map(([key, value]) => ({ key, value })),
  };
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}

function graphToProto(g: Graph): Record<string, unknown> {
  return {
    name: g.name,
    doc_string: g.doc ?? '',
    node: g.nodes.map((n) => ({
      op_type: n.op,
      domain: n.domain,
      name: n.name,
      input: n.inputs,
      output: n.outputs,
      doc_string: n.doc ?? '',
      attribute: [...n.attrs].map(([name, a]) => attributeToProto(name, a)),
    })),
    initializer: [...g.initializers].map(([name, t]) => tensorToProto(t, name)),
    input: g.inputs.map(valueInfoToProto),
    output: g.outputs.map(valueInfoToProto),
    value_info: [...g.valueInfo].map(([name, type]) => valueInfoToProto({ name, type })),
  };
}

function valueInfoToProto(v: ValueInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { name: v.name, doc_string: v.doc ?? '' };
  if (v.type) {
    const tensorType: Record<string, unknown> = { elem_type: DTYPES[v.type.dtype].onnx };
    if (v.type.shape) tensorType.shape = { dim: v.type.shape.map(dimToProto) };
    out.type = { tensor_type: tensorType };
  }
  return out;
}

function dimToProto(d: Dim): Record<string, unknown> {
  if (typeof d === 'number') return { dim_value: d };
  if (typeof d === 'string') return { dim_param: d };
  return {};
}

function attributeToProto(name: string, a: Attribute): Record<string, unknown> {
  const out: Record<string, unknown> = { name, type: ATTR_CODES[a.type] };
  switch (a.type) {
    case 'float':
      out.f = a.value;
      break;
    case 'int':
      out.i = a.value;
      break;
    case 'string':
      out.s = utf8.encode(a.value as string);
      break;
    case 'tensor':
      out.t = tensorToProto(a.value as Tensor, '');
      break;
    case 'graph':
      out.g = graphToProto(a.value as Graph);
      break;
    case 'floats':
      out.floats = a.value;
      break;
    case 'ints':
      out.ints = a.value;
      break;
    case 'strings':
      out.strings = (a.value as string[]).map((s) => utf8.encode(s));
      break;
    case 'tensors':
      out.tensors = (a.value as Tensor[]).map((t) => tensorToProto(t, ''));
      break;
    case 'graphs':
      out.graphs = (a.value as Graph[]).map(graphToProto);
      break;
  }
  return out;
}

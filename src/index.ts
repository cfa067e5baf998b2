// edgeinfer's public surface.

export { EdgeError, type EdgeErrorCode } from './errors.js';
export { Tensor, type QuantParams } from './tensor/tensor.js';
export type { DataType, TypedArray } from './tensor/dtype.js';
export { InferenceSession, type SessionOptions, type RunOptions, type ValueMetadata } from './runtime/session.js';
export { readOnnx } from './formats/onnx/reader.js';
export { writeOnnx } from './formats/onnx/writer.js';
export type { Model, Graph, Node, ValueType, ValueInfo, Dim, Attribute } from './ir/graph.js';
export { DynamicBatcher, type BatcherOptions, type InferOptions, type BatcherStats, type BatchSession, type CloseOptions } from './batcher/index.js';

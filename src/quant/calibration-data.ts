// Calibration samples as an async stream of feed records, from a .npy file whose first axis indexes samples
// (streamed from disk), a folder of TensorProto .pb files (one sample each) or a folder of sample folders
// (input_0.pb, input_1.pb, ... for multi-input models), each checked against the model's inputs.

import type { Dirent } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../errors.js';
import { decodeTensorProto } from '../formats/onnx/tensor-proto.js';
import type { Model } from '../ir/graph.js';
import { DTYPES, type DataType } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { readNpyHeader } from './npy-header.js';

/** A model input as calibration data must match it (the shape of InferenceSession.inputMetadata). */
export interface InputSpec {
  name: string;
  type: DataType;
  /** Sizes, or names / '?' for free dims (the batch); absent when the rank is unknown. */
  shape?: readonly (number | string)[];
}

export type FeedRecord = Record<string, Tensor>;

export interface CalibrationData extends AsyncIterable<FeedRecord> {
  /** Feed records the iteration yields (for progress bars). */
  readonly count: number;
  /** Samples those records hold (count * batchSize, or fewer in the last record). */
  readonly samples: number;
  readonly kind: 'npy' | 'pb-files' | 'pb-folders';
}

export interface CalibrationDataOptions {
  /** Samples per feed record, stacked along the batch dim (default 1); needs a free batch dim. */
  batchSize?: number;
  /** Use at most this many samples. */
  limit?: number;
}

/** The inputs a model must be fed (graph inputs not backed by an initializer). */
export function modelInputSpecs(model: Model): InputSpec[] {
  return model.graph.inputs
    .filter((i) => !model.graph.initializers.has(i.name))
    .map((i) => {
      if (!i.type) throw new EdgeError('MODEL_INVALID', `input '${i.name}' has no declared type`, { input: i.name });
      return { name: i.name, type: i.type.dtype, shape: i.type.shape?.map((d) => d ?? '?') };
    });
}

/** Opens calibration data at `path`: a .npy file or a folder of .pb files or sample folders. */
export async function openCalibrationData(
  path: string,
  inputs: readonly InputSpec[],
  options: CalibrationDataOptions = {},
): Promise<CalibrationData> {
  const batchSize = options.batchSize ?? 1;
  const limit = options.limit ?? Infinity;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EdgeError('INPUT_INVALID', `batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!(limit >= 1)) throw new EdgeError('INPUT_INVALID', `limit must be at least 1, got ${limit}`);
  if (inputs.length === 0) throw new EdgeError('INPUT_INVALID', 'the model has no inputs to feed calibration data to');
  if (batchSize > 1) {
    for (const spec of inputs) {
      if (spec.shape && typeof spec.shape[0] === 'number') {
        const shape = formatShape(spec.shape);
        throw new EdgeError('INPUT_INVALID', `batchSize ${batchSize} needs a free batch dim, but input '${spec.name}' has shape ${shape}`, {
          input: spec.name,
        });
      }
    }
  }
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message;
    throw new EdgeError('INPUT_INVALID', `calibration data '${path}' cannot be read: ${reason}`, { cause: err });
  }
  if (isDir) return openPbFolder(path, inputs, batchSize, limit);
  if (path.endsWith('.npy')) return openNpy(path, inputs, batchSize, limit);
  throw new EdgeError('INPUT_INVALID', `calibration data '${path}' must be a .npy file or a folder of .pb files or sample folders`);
}

// ---------------------------------------------------------------------------------------------
// .npy: read the header once, then one slice of samples per record
// ---------------------------------------------------------------------------------------------

async function openNpy(path: string, inputs: readonly InputSpec[], batchSize: number, limit: number): Promise<CalibrationData> {
  if (inputs.length !== 1) {
    throw new EdgeError(
      'INPUT_INVALID',
      `${path}: a .npy file feeds single-input models; this one has ${inputs.length} inputs (${listNames(inputs)}): ` +
        'use a folder of sample folders (input_0.pb, input_1.pb, ...)',
    );
  }
  const spec = inputs[0]!;
  const file = await open(path, 'r');
  let header;
  let fileBytes;
  try {
    header = await readNpyHeader(file, path);
    fileBytes = (await file.stat()).size;
  } finally {
    await file.close();
  }
  const { dtype, dims, dataOffset } = header;
  if (dims.length === 0) throw new EdgeError('INPUT_INVALID', `${path}: holds a scalar; its first axis must index the samples`);
  const total = dims[0]!;
  if (total === 0) throw new EdgeError('INPUT_INVALID', `${path}: holds no samples (shape ${formatShape(dims)})`);
  const sampleDims = dims.slice(1);
  const elements = sizeOf(sampleDims);
  const sampleBytes = elements * header.itemBytes;
  const complete = sampleBytes === 0 ? total : Math.floor(Math.max(0, fileBytes - dataOffset) / sampleBytes);
  if (complete < total) {
    throw new EdgeError(
      'INPUT_INVALID',
      `${path}: truncated: the header promises ${total} samples of ${sampleBytes} bytes but the file (${fileBytes} bytes) ` +
        `ends inside sample ${complete}`,
      { expected: dataOffset + total * sampleBytes, actual: fileBytes },
    );
  }
  checkDtype(dtype, spec, path);
  // Each sample either lacks the batch dim (gets one of size 1) or has it already.
  const perSample = sampleDims.length === (spec.shape?.length ?? sampleDims.length + 1) - 1 ? [1, ...sampleDims] : sampleDims;
  checkShape(perSample, spec, `${path} (every sample)`, undefined, sampleDims);
  const n = Math.min(total, limit);
  return {
    kind: 'npy',
    count: Math.ceil(n / batchSize),
    samples: n,
    async *[Symbol.asyncIterator]() {
      const handle = await open(path, 'r');
      try {
        for (let first = 0; first < n; first += batchSize) {
          const k = Math.min(batchSize, n - first);
          const bytes = new Uint8Array(k * sampleBytes); // a fresh, aligned buffer: the caller keeps the tensor
          const { bytesRead } = await handle.read(bytes, 0, bytes.length, dataOffset + first * sampleBytes);
          if (bytesRead < bytes.length) {
            const sample = first + Math.floor(bytesRead / sampleBytes);
            throw new EdgeError('INPUT_INVALID', `${path}: sample ${sample} is truncated (the file changed while reading)`);
          }
          const t = new Tensor(dtype, new DTYPES[dtype].array(bytes.buffer, 0, k * elements), [perSample[0]! * k, ...perSample.slice(1)]);
          checkFinite(t, spec.name, (i) => `${path}: sample ${first + Math.floor(i / elements)} (element ${i % elements})`);
          yield { [spec.name]: t };
        }
      } finally {
        await handle.close();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Folders of TensorProto .pb files
// ---------------------------------------------------------------------------------------------

const byNaturalName = (a: Dirent, b: Dirent) => a.name.localeCompare(b.name, 'en', { numeric: true });

/** The input files of a sample folder: input_<i>.pb in index order (ONNX test-data layout), else every .pb. */
async function samplePbFiles(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.pb')).sort(byNaturalName);
  const numbered = entries.filter((e) => /^input_\d+\.pb$/.test(e.name));
  return (numbered.length > 0 ? numbered : entries).map((e) => join(dir, e.name));
}

async function openPbFolder(dir: string, inputs: readonly InputSpec[], batchSize: number, limit: number): Promise<CalibrationData> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort(byNaturalName);
  const looseFiles = entries.filter((e) => e.isFile() && e.name.endsWith('.pb')).map((e) => join(dir, e.name));
  const folders: { where: string; files: string[] }[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const files = await samplePbFiles(join(dir, e.name));
    if (files.length > 0) folders.push({ where: join(dir, e.name), files });
  }
  if (folders.length > 0 && looseFiles.length > 0) {
    const counts = `${looseFiles.length} .pb files and ${folders.length} sample folders`;
    throw new EdgeError('INPUT_INVALID', `${dir}: mixes ${counts}; use one layout`);
  }
  let samples: { where: string; files: string[] }[];
  if (folders.length > 0) samples = folders;
  else if (looseFiles.length > 0) {
    if (inputs.length !== 1) {
      throw new EdgeError(
        'INPUT_INVALID',
        `${dir}: one .pb file per sample feeds single-input models; this one has ${inputs.length} inputs (${listNames(inputs)}): ` +
          'use one folder per sample with input_0.pb, input_1.pb, ...',
      );
    }
    samples = looseFiles.map((f) => ({ where: f, files: [f] }));
  } else {
    throw new EdgeError('INPUT_INVALID', `${dir}: holds no .pb files and no sample folders of .pb files`);
  }
  samples = samples.slice(0, Math.min(samples.length, limit));
  const kind = folders.length > 0 ? 'pb-folders' : 'pb-files';
  return {
    kind,
    count: Math.ceil(samples.length / batchSize),
    samples: samples.length,
    async *[Symbol.asyncIterator]() {
      for (let first = 0; first < samples.length; first += batchSize) {
        const records: FeedRecord[] = [];
        for (const s of samples.slice(first, first + batchSize)) records.push(await readPbSample(s.where, s.files, inputs));
        yield records.length === 1 ? records[0]! : stackRecords(records, inputs);
      }
    },
  };
}

async function readPbSample(where: string, files: string[], inputs: readonly InputSpec[]): Promise<FeedRecord> {
  const decoded: { name: string; tensor: Tensor; file: string }[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    if (bytes.length === 0) throw new EdgeError('INPUT_INVALID', `${file}: the file is empty`);
    decoded.push({ ...decodeTensorProto(bytes, file), file });
  }
  if (decoded.length !== inputs.length) {
    const model = `${inputs.length} input(s): ${listNames(inputs)}`;
    throw new EdgeError('INPUT_INVALID', `${where}: holds ${decoded.length} input file(s) but the model has ${model}`, {
      expected: inputs.length,
      actual: decoded.length,
    });
  }
  // Match by tensor name when every file names a distinct model input; otherwise by file order.
  const names = new Set(decoded.map((d) => d.name));
  const byName = names.size === decoded.length && decoded.every((d) => inputs.some((i) => i.name === d.name));
  const record: FeedRecord = {};
  const bound = new Map<string, number>();
  inputs.forEach((spec, i) => {
    const d = byName ? decoded.find((x) => x.name === spec.name)! : decoded[i]!;
    checkDtype(d.tensor.type, spec, d.file);
    const t = d.tensor.dims.length === (spec.shape?.length ?? -1) - 1 ? d.tensor.reshape([1, ...d.tensor.dims]) : d.tensor;
    checkShape(t.dims, spec, d.file, bound, d.tensor.dims);
    checkFinite(t, spec.name, (i) => `${d.file} (element ${i})`);
    record[spec.name] = t;
  });
  return record;
}

/** Stacks records along the batch dim (their shapes were checked against the same inputs). */
function stackRecords(records: FeedRecord[], inputs: readonly InputSpec[]): FeedRecord {
  const out: FeedRecord = {};
  for (const spec of inputs) {
    const parts = records.map((r) => r[spec.name]!);
    const rest = parts[0]!.dims.slice(1);
    for (const p of parts) {
      if (formatShape(p.dims.slice(1)) !== formatShape(rest)) {
        const shapes = `${formatShape(parts[0]!.dims)} and ${formatShape(p.dims)}`;
        throw new EdgeError('INPUT_INVALID', `input '${spec.name}': samples of shapes ${shapes} cannot be batched together; use batchSize 1`);
      }
    }
    const batch = parts.reduce((a, p) => a + p.dims[0]!, 0);
    const t = Tensor.zeros(spec.type, [batch, ...rest], `input '${spec.name}'`);
    let at = 0;
    for (const p of parts) {
      (t.data as Float32Array).set(p.data as Float32Array, at);
      at += p.size;
    }
    out[spec.name] = t;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checks against the model's inputs
// ---------------------------------------------------------------------------------------------

function listNames(inputs: readonly InputSpec[]): string {
  return inputs.map((i) => i.name).join(', ');
}

function checkDtype(dtype: DataType, spec: InputSpec, where: string): void {
  if (dtype === spec.type) return;
  const hint = spec.type === 'float32' ? '; convert it, e.g. with numpy .astype(np.float32)' : '';
  throw new EdgeError('DTYPE_MISMATCH', `${where}: holds ${dtype} but input '${spec.name}' is ${spec.type}${hint}`, {
    input: spec.name,
    expected: spec.type,
    actual: dtype,
  });
}

/** Sizes must match; a named or unknown dim is free but binds one size across a record's inputs. */
function checkShape(dims: readonly number[], spec: InputSpec, where: string, bound = new Map<string, number>(), shown = dims): void {
  if (!spec.shape) return;
  const ok =
    dims.length === spec.shape.length &&
    spec.shape.every((d, i) => {
      if (typeof d === 'number') return d === dims[i];
      if (d === '?') return true;
      const seen = bound.get(d);
      bound.set(d, dims[i]!);
      return seen === undefined || seen === dims[i];
    });
  if (!ok) {
    const expected = `input '${spec.name}' of shape ${formatShape(spec.shape)}`;
    throw new EdgeError('SHAPE_MISMATCH', `${where}: shape ${formatShape(shown)} does not fit ${expected}`, {
      input: spec.name,
      expected: spec.shape,
      actual: dims,
    });
  }
}

/** NaN or Inf would poison every observer's range: refused, naming the sample and element. */
function checkFinite(t: Tensor, input: string, where: (flatIndex: number) => string): void {
  if (!DTYPES[t.type].isFloat) return;
  const values = t.toFloat32();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      throw new EdgeError('INPUT_INVALID', `${where(i)}: input '${input}' holds ${v}; calibration data must be finite`, {
        input,
        actual: v,
      });
    }
  }
}

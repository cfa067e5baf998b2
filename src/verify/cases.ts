// Finds and runs ONNX test cases (model.onnx + test_data_set_*/input_*.pb, output_*.pb), the layout
// of ONNX's backend tests and onnxruntime's onnx_test_runner.

import fs from 'node:fs';
import path from 'node:path';
import { EdgeError } from '../errors.js';
import { decodeTensorProto } from '../formats/onnx/tensor-proto.js';
import { InferenceSession, type SessionOptions } from '../runtime/session.js';
import { Tensor } from '../tensor/tensor.js';
import { compareTensors, type Tolerance } from './compare.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  case: string;
  path: string;
  status: CaseStatus;
  reason?: string;
  maxAbsError?: number;
  /** Number of test data sets compared. */
  dataSets: number;
}

/** Every folder below `roots` that holds a model.onnx, in sorted order (iterative walk). */
export function findCases(roots: string[]): string[] {
  const found: string[] = [];
  const stack = roots.slice().reverse();
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new EdgeError('MODEL_NOT_FOUND', `cannot read folder '${dir}': ${(err as Error).message}`, { cause: err });
    }
    if (entries.some((e) => e.isFile() && e.name === 'model.onnx')) found.push(dir);
    const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('test_data_set_')).map((e) => path.join(dir, e.name));
    stack.push(...subdirs.sort().reverse());
  }
  return found;
}

function readTensor(file: string): { name: string; tensor: Tensor } {
  return decodeTensorProto(fs.readFileSync(file), file);
}

function numbered(dir: string, prefix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => path.join(dir, f));
}

/** Case-level tolerance: a metadata.json `tolerance` beside the model wins over the default. */
function caseTolerance(dir: string, fallback: Tolerance, override: Partial<Tolerance>): Tolerance {
  const metaPath = path.join(dir, 'metadata.json');
  let tol = fallback;
  if (fs.existsSync(metaPath)) {
    const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as { tolerance?: Partial<Tolerance> };
    if (meta.tolerance) tol = { rtol: meta.tolerance.rtol ?? tol.rtol, atol: meta.tolerance.atol ?? tol.atol };
  }
  return { rtol: override.rtol ?? tol.rtol, atol: override.atol ?? tol.atol };
}

/** Skips that are data, not silence: load failures caused by an op or dtype the runtime does not support. */
function unsupportedReason(err: unknown): string | undefined {
  if (err instanceof EdgeError && (err.code === 'OP_UNSUPPORTED' || err.code === 'DTYPE_MISMATCH') && /not supported|unsupported/.test(err.message)) {
    return err.message;
  }
  return undefined;
}

/**
 * The fixtures store bfloat16 tensors as uint16 bit patterns (numpy has no bfloat16); read them as
 * the bfloat16 the model declares.
 */
function asDeclared(t: Tensor, dtype: string | undefined): Tensor {
  return dtype === 'bfloat16' && t.type === 'uint16' ? new Tensor('bfloat16', t.data, t.dims) : t;
}

export async function runCase(dir: string, defaults: Tolerance, override: Partial<Tolerance> = {}, options: SessionOptions = {}): Promise<CaseResult> {
  const name = path.basename(dir);
  const result: CaseResult = { case: name, path: dir, status: 'passed', dataSets: 0 };
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(path.join(dir, 'model.onnx'), options);
  } catch (err) {
    const skip = unsupportedReason(err);
    return { ...result, status: skip ? 'skipped' : 'failed', reason: skip ?? describe(err) };
  }
  const tol = caseTolerance(dir, defaults, override);
  const sets = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('test_data_set_'))
    .sort()
    .map((f) => path.join(dir, f));
  try {
    let maxAbs = 0;
    for (const set of sets) {
      try {
        const feeds: Record<string, Tensor> = {};
        numbered(set, 'input_').forEach((file, i) => {
          const { name: n, tensor } = readTensor(file);
          const inputName = session.inputNames.includes(n) ? n : session.inputNames[i];
          if (inputName === undefined) throw new EdgeError('INPUT_INVALID', `${file}: the model has no input #${i}`);
          feeds[inputName] = asDeclared(tensor, session.inputMetadata.find((m) => m.name === inputName)?.type);
        });
        const outputs = await session.run(feeds);
        for (const [i, file] of numbered(set, 'output_').entries()) {
          const { name: n, tensor } = readTensor(file);
          const outName = session.outputNames.includes(n) ? n : session.outputNames[i];
          const actual = outName === undefined ? undefined : outputs[outName];
          if (!actual) throw new EdgeError('INTERNAL', `${file}: the model has no output #${i}`);
          const cmp = compareTensors(actual, asDeclared(tensor, actual.type), tol);
          maxAbs = Math.max(maxAbs, cmp.maxAbsError);
          if (!cmp.ok) {
            return { ...result, status: 'failed', reason: `${path.basename(set)} output '${outName}': ${cmp.reason}`, maxAbsError: cmp.maxAbsError, dataSets: result.dataSets };
          }
        }
        result.dataSets++;
      } catch (err) {
        return { ...result, status: 'failed', reason: `${path.basename(set)}: ${describe(err)}`, dataSets: result.dataSets };
      }
    }
    return { ...result, maxAbsError: maxAbs };
  } finally {
    await session.release();
  }
}

function describe(err: unknown): string {
  if (err instanceof EdgeError) return `${err.code}: ${err.message}`;
  return `unexpected ${(err as Error)?.name ?? 'error'}: ${(err as Error)?.message ?? String(err)}`;
}

// Where the bytes of an ONNX file go: walks the protobuf wire format and sums bytes by category (weight data,
// scales, zero points, biases, names, tags, value_info, metadata …), to see what an int8 file spends.
// Usage: npx tsx scripts/onnx-size-breakdown.ts <model.onnx> [--quantize] [--calibration data.npy] [--samples 64] [--out int8.onnx]
//          [--options '{"format":"qoperator"}'] (quantizeModel options)
//   --quantize: quantize the model first (default options; seeded N(0,1) calibration samples unless --calibration)
//   and break down the int8 file, printing its size against the float file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeNpy } from '../src/formats/npy.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { quantizeModel, type QuantizeModelOptions } from '../src/quant/quantize.js';
import { loadModelFile } from '../src/runtime/load-file.js';
import { randomTensor } from '../src/tensor/random.js';

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

interface Field {
  number: number;
  wire: number;
  /** Bytes of the tag and, for length-delimited fields, the length prefix. */
  headerBytes: number;
  /** The payload: the varint / fixed bytes, or the delimited content. */
  body: Uint8Array;
}

function readVarint(buf: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 1;
  let i = at;
  for (;;) {
    const b = buf[i++]!;
    value += (b & 0x7f) * shift;
    if (b < 0x80) return [value, i];
    shift *= 128;
  }
}

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  while (i < buf.length) {
    const start = i;
    const [tag, afterTag] = readVarint(buf, i);
    const wire = tag & 7;
    const number = Math.floor(tag / 8);
    i = afterTag;
    if (wire === WIRE.varint) {
      const [, next] = readVarint(buf, i);
      yield { number, wire, headerBytes: afterTag - start, body: buf.subarray(i, next) };
      i = next;
    } else if (wire === WIRE.bytes) {
      const [len, next] = readVarint(buf, i);
      yield { number, wire, headerBytes: next - start, body: buf.subarray(next, next + len) };
      i = next + len;
    } else {
      const n = wire === WIRE.fixed64 ? 8 : 4;
      yield { number, wire, headerBytes: afterTag - start, body: buf.subarray(i, i + n) };
      i += n;
    }
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const ONNX_DTYPE: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 10: 'float16' };

class Tally {
  readonly bytes = new Map<string, number>();
  readonly counts = new Map<string, number>();
  add(category: string, n: number, count = 0): void {
    this.bytes.set(category, (this.bytes.get(category) ?? 0) + n);
    if (count) this.counts.set(category, (this.counts.get(category) ?? 0) + count);
  }
}

/** What an initializer holds, from the slot of the Q/DQ node that reads it (names may be short): data, scale, zero point. */
function initializerRole(slot: number | undefined, dtype: string, elements: number): string {
  const shape = elements === 1 ? 'scalar' : 'vector';
  if (slot === 1) return `scale (${shape})`;
  if (slot === 2) return `zero point (${shape})`;
  if (dtype === 'int8' || dtype === 'uint8') return 'int8 weight data';
  if (dtype === 'int32') return 'int32 bias data';
  return `${dtype} data`;
}

function tallyInitializer(t: Tally, buf: Uint8Array, header: number, slots: ReadonlyMap<string, number>): void {
  let name = '';
  let dtype = '?';
  const dims: number[] = [];
  let dataBytes = 0;
  let other = header;
  for (const f of fields(buf)) {
    if (f.number === 8) name = text(f.body);
    if (f.number === 2) dtype = ONNX_DTYPE[readVarint(f.body, 0)[0]] ?? '?';
    if (f.number === 1) dims.push(readVarint(f.body, 0)[0]);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  const role = initializerRole(slots.get(name), dtype, elements);
  for (const f of fields(buf)) {
    if (f.number === 8) t.add('initializer names', f.body.length);
    else if (f.number === 9 || f.number === 4 || f.number === 5) dataBytes += f.body.length;
    else other += f.headerBytes + f.body.length;
    if (f.number === 8 || f.number === 9 || f.number === 4 || f.number === 5) other += f.headerBytes;
  }
  t.add(role, dataBytes, 1);
  t.add('initializer framing (tags, dims, dtype)', other);
}

/** Input slot at which a QuantizeLinear / DequantizeLinear reads each value (1: scale, 2: zero point). */
function qdqSlots(graph: Uint8Array): Map<string, number> {
  const slots = new Map<string, number>();
  for (const g of fields(graph)) {
    if (g.number !== 1) continue;
    const node = [...fields(g.body)];
    const op = text(node.find((f) => f.number === 4)?.body ?? new Uint8Array());
    if (op !== 'QuantizeLinear' && op !== 'DequantizeLinear') continue;
    node.filter((f) => f.number === 1).forEach((f, i) => slots.set(text(f.body), i));
  }
  return slots;
}

function tallyNode(t: Tally, buf: Uint8Array, header: number): void {
  let op = '';
  for (const f of fields(buf)) if (f.number === 4) op = text(f.body);
  let framing = header;
  for (const f of fields(buf)) {
    framing += f.headerBytes;
    if (f.number === 1 || f.number === 2) t.add('node input/output names', f.body.length);
    else if (f.number === 3) t.add('node names', f.body.length);
    else if (f.number === 4) t.add('node op types', f.body.length);
    else if (f.number === 5) t.add('node attributes', f.body.length);
    else if (f.number === 6) t.add('doc strings', f.body.length);
    else t.add('node domains', f.body.length);
  }
  t.add('node framing (tags, lengths)', framing);
  t.add(`nodes: ${op}`, 0, 1);
}

function breakdown(bytes: Uint8Array): Tally {
  const t = new Tally();
  for (const f of fields(bytes)) {
    if (f.number !== 7) {
      t.add(f.number === 8 || f.number === 14 ? 'opset / metadata' : 'model header (ir, producer)', f.headerBytes + f.body.length);
      continue;
    }
    t.add('graph framing', f.headerBytes);
    const slots = qdqSlots(f.body);
    for (const g of fields(f.body)) {
      if (g.number === 1) tallyNode(t, g.body, g.headerBytes);
      else if (g.number === 5) tallyInitializer(t, g.body, g.headerBytes, slots);
      else if (g.number === 13) t.add('value_info', g.headerBytes + g.body.length, 1);
      else if (g.number === 11 || g.number === 12) t.add('graph inputs / outputs', g.headerBytes + g.body.length);
      else if (g.number === 10) t.add('doc strings', g.headerBytes + g.body.length);
      else t.add('graph name', g.headerBytes + g.body.length);
    }
  }
  return t;
}

function print(t: Tally, total: number): void {
  const rows = [...t.bytes].filter(([k]) => !k.startsWith('nodes: ')).sort((a, b) => b[1] - a[1]);
  for (const [k, n] of rows) {
    const count = t.counts.get(k);
    console.log(`${String(n).padStart(9)}  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${k}${count ? ` (${count})` : ''}`);
  }
  const sum = rows.reduce((a, [, n]) => a + n, 0);
  console.log(`${String(sum).padStart(9)}  total${sum === total ? '' : ` (file: ${total})`}`);
  const ops = [...t.counts].filter(([k]) => k.startsWith('nodes: ')).map(([k, n]) => `${k.slice(7)} ${n}`);
  console.log(`nodes: ${ops.join(', ')}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quantize: { type: 'boolean', default: false },
      calibration: { type: 'string' },
      samples: { type: 'string', default: '64' },
      out: { type: 'string' },
      options: { type: 'string', default: '{}' },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: onnx-size-breakdown.ts <model.onnx> [--quantize] [--calibration data.npy] [--samples n] [--out int8.onnx]');
  const floatBytes = fs.statSync(file).size;
  let bytes: Uint8Array = fs.readFileSync(file);
  if (values.quantize) {
    const model = await loadModelFile(file);
    let calibration = values.calibration;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'size-breakdown-'));
    try {
      if (!calibration) {
        // Seeded N(0,1) samples, as scripts/eval-int8.ts calibrates the models without a data set.
        const dims = model.graph.inputs[0]!.type!.shape!.slice(1).map(Number);
        calibration = path.join(dir, 'calib.npy');
        fs.writeFileSync(calibration, writeNpy(randomTensor('float32', [Number(values.samples), ...dims], 1)));
      }
      bytes = writeOnnx((await quantizeModel(model, { ...(JSON.parse(values.options!) as QuantizeModelOptions), calibration })).model);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (values.out) fs.writeFileSync(values.out, bytes);
    console.log(`${path.basename(path.dirname(file))}: float ${floatBytes} B, int8 ${bytes.length} B, ratio ${(bytes.length / floatBytes).toFixed(3)}`);
  }
  print(breakdown(bytes), bytes.length);
}

await main();

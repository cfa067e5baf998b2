// `quantize --check`: does int8 pay off here? Times every quantized op against its float form on this
// machine (the same node names in both optimized graphs) and lists the ops whose int8 form is slower.

import type { Model } from '../ir/graph.js';
import { concreteDims } from '../cli/run.js';
import { InferenceSession } from '../runtime/session.js';
import { randomTensor } from '../tensor/random.js';

export interface OpLatency {
  node: string;
  fp32Op: string;
  int8Op: string;
  fp32Ms: number;
  int8Ms: number;
}

export interface LatencyCheck {
  ops: OpLatency[];
  /** Batch-1 median of a whole run (sum of per-node medians), ms. */
  fp32Ms: number;
  int8Ms: number;
  /** Nodes whose int8 form is slower than their float form. */
  slower: string[];
}

async function profile(model: Model, runs: number): Promise<Map<string, { op: string; ms: number }>> {
  const session = await InferenceSession.create(model);
  try {
    const feeds = session.inputMetadata.map((m, i) => randomTensor(m.type, concreteDims(m, 1), i));
    return new Map(session.profile(feeds, runs).map((r) => [r.node, { op: r.op, ms: r.ms }]));
  } finally {
    await session.release();
  }
}

export async function checkLatency(fp32: Model, int8: Model, runs = 100): Promise<LatencyCheck> {
  const a = await profile(fp32, runs);
  const b = await profile(int8, runs);
  const sum = (m: Map<string, { ms: number }>) => [...m.values()].reduce((s, r) => s + r.ms, 0);
  const ops: OpLatency[] = [];
  for (const [node, q] of b) {
    const f = a.get(node);
    // Only nodes that became integer ops: the fused ops of the QDQ fusion are named after the float node.
    if (!node || !f || q.op === f.op) continue;
    ops.push({ node, fp32Op: f.op, int8Op: q.op, fp32Ms: f.ms, int8Ms: q.ms });
  }
  return { ops, fp32Ms: sum(a), int8Ms: sum(b), slower: ops.filter((o) => o.int8Ms > o.fp32Ms).map((o) => o.node) };
}

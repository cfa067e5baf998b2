// The engines that bench:peers measures side by side: edgeinfer backends and the onnxruntime peers.

export type EngineFamily = 'edgeinfer' | 'ort-web' | 'ort-node';

export interface EngineSpec {
  /** Stable key used in tables and in the JSON results, e.g. 'ort-web-t2'. */
  id: string;
  family: EngineFamily;
  /** Threads the engine may use (edgeinfer: intraOpNumThreads, which splits batch work across worker threads). */
  threads: number;
  /** edgeinfer only: the SessionOptions backend ('ref', 'wasm' …). */
  backend?: string;
}

export const PEER_FAMILIES: readonly EngineFamily[] = ['ort-web', 'ort-node'];

/** Human description of each family, for the engines table. */
export const FAMILY_LABEL: Record<EngineFamily, string> = {
  edgeinfer: 'edgeinfer InferenceSession.runSync',
  'ort-web': 'onnxruntime-web, wasm EP (WebAssembly SIMD), env.wasm.numThreads',
  'ort-node': 'onnxruntime-node, CPU EP, intraOpNumThreads',
};

export function engineList(backends: readonly string[], peers: readonly EngineFamily[], threads: readonly number[]): EngineSpec[] {
  const list: EngineSpec[] = backends.flatMap((backend) =>
    threads.map((t) => ({ id: t === 1 ? `edgeinfer-${backend}` : `edgeinfer-${backend}-t${t}`, family: 'edgeinfer' as const, threads: t, backend })),
  );
  for (const family of peers) for (const t of threads) list.push({ id: `${family}-t${t}`, family, threads: t });
  return list;
}

export const isEdgeinfer = (e: { family: EngineFamily }): boolean => e.family === 'edgeinfer';

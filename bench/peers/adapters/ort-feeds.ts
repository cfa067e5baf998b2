// Feeds and loaded sessions for the onnxruntime packages (node and web share one API shape and name
// dtypes as we do: float32, int64, bool …).

import type { FeedData } from '../protocol.js';
import { asFloat32, type EngineAdapter } from './adapter.js';

// onnxruntime's Tensor constructor is overloaded per dtype; one loose signature is enough here.
type MakeTensor<T> = (type: any, data: any, dims: readonly number[]) => T;

export function ortFeeds<T>(feeds: readonly FeedData[], make: MakeTensor<T>): Record<string, T> {
  return Object.fromEntries(feeds.map((f) => [f.name, make(f.dtype, f.data, f.dims)]));
}

/** The part of an onnxruntime InferenceSession (node or web) the benchmark uses. */
interface OrtSession<T> {
  run(feeds: Record<string, T>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}

/** A loaded engine over an onnxruntime session and its prepared feeds. */
export function ortLoaded<T>(session: OrtSession<T>, feeds: Record<string, T>): Awaited<ReturnType<EngineAdapter['load']>> {
  return {
    run: async () => void (await session.run(feeds)),
    outputs: async () => Object.fromEntries(Object.entries(await session.run(feeds)).map(([k, t]) => [k, asFloat32(t.data as never)])),
    release: () => session.release(),
  };
}

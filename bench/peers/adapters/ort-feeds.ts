// Feeds for the onnxruntime packages, which name dtypes as we do (float32, int64, bool …).

import type { FeedData } from '../protocol.js';

// onnxruntime's Tensor constructor is overloaded per dtype; one loose signature is enough here.
type MakeTensor<T> = (type: any, data: any, dims: readonly number[]) => T;

export function ortFeeds<T>(feeds: readonly FeedData[], make: MakeTensor<T>): Record<string, T> {
  return Object.fromEntries(feeds.map((f) => [f.name, make(f.dtype, f.data, f.dims)]));
}

// What a node's constants alone determine — weights packed for a kernel, the kernel chosen for them — made once per
// session and shared by all its plans (one per input shape or batch chunk): a batch run in chunks of 1, 2, 4 ... rows
// would otherwise hold a copy of every packed weight per chunk size.

import type { Node } from '../../ir/graph.js';
import type { WasmKernels } from './kernel-def.js';
import { ownedKernels, type OwnedKernels } from './owned-kernels.js';

export class ConstantCache {
  private readonly memory: OwnedKernels;
  private readonly values = new Map<Node, Map<string, unknown>>();

  constructor(wasm: WasmKernels) {
    this.memory = ownedKernels(wasm);
  }

  /** The value `make` returned the first time for (node, key); `make` allocates through the kernels it is given. */
  once<T>(node: Node, key: string, make: (wasm: WasmKernels) => T): T {
    let byKey = this.values.get(node);
    if (!byKey) this.values.set(node, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, make(this.memory));
    return byKey.get(key) as T;
  }

  /** Bytes held in the kernels' heap. */
  get heapBytes(): number {
    return this.memory.ownedBytes;
  }

  /** Frees everything; later calls make their values anew. */
  release(): void {
    this.memory.releaseAll();
    this.values.clear();
  }
}

// The slice of the WebAssembly JS API the kernels need, typed here because the project compiles without the
// DOM lib (where TypeScript declares WebAssembly); the same global exists in Node and in browsers.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` of 64 KiB; returns the old size in pages; throws RangeError past the maximum. */
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ instance: WasmInstance }>;
  /** `new WebAssembly.Memory(descriptor)` (a constructor cannot be typed on this slice: see webAssembly()). */
  newMemory(descriptor: { initial: number; maximum?: number; shared?: boolean }): WasmMemory;
}

interface WebAssemblyGlobal extends Omit<WebAssemblyApi, 'newMemory'> {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The global WebAssembly object, or undefined in an engine without it. */
export function webAssembly(): WebAssemblyApi | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyGlobal }).WebAssembly;
  if (!api) return undefined;
  return {
    validate: (bytes) => api.validate(bytes),
    instantiate: (bytes, imports) => api.instantiate(bytes, imports),
    newMemory: (descriptor) => new api.Memory(descriptor),
  };
}

export const WASM_PAGE_BYTES = 65536;

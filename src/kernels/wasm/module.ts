// Loads the WebAssembly kernels once per process and binds them: typed functions that turn a trap into an
// EdgeError, the module's memory, an allocator over it (heap.ts) and Float32Array views.

import { debugLog, envVar } from '../../env.js';
import { EdgeError } from '../../errors.js';
import { WASM_BASE64 as RELAXED_BASE64 } from './generated/kernels-relaxed.js';
import { WASM_BASE64 as SCALAR_BASE64 } from './generated/kernels-scalar.js';
import { WASM_BASE64 as SHARED_SIMD_BASE64 } from './generated/kernels-simd-shared.js';
import { WASM_BASE64 as SIMD_BASE64 } from './generated/kernels-simd.js';
import { WasmHeap, type HeapStats } from './heap.js';
import { KERNEL_NAMES, type KernelName, type WasmKernelFunctions } from './kernel-functions.js';
import { webAssembly, type WasmMemory } from './wasm-api.js';

/** Pages of the shared memory's maximum (2 GiB), as compiled into the shared build (scripts/build-wasm.mjs). */
const MAX_SHARED_PAGES = 32768;

/** The implementation suffix of every kernel name in a build (`f32_gemm_4x8__wasmsimd`). */
export type WasmVariant = 'wasmsimd' | 'wasmrelaxedsimd' | 'scalar';

interface Build {
  base64: string;
  what: string;
}

const BUILDS: Record<WasmVariant, Build> = {
  wasmsimd: { base64: SIMD_BASE64, what: 'SIMD128' },
  wasmrelaxedsimd: { base64: RELAXED_BASE64, what: 'relaxed SIMD' },
  scalar: { base64: SCALAR_BASE64, what: 'scalar' },
};

/** Values of EDGEINFER_WASM and the variant each forces. */
const ENV_VARIANTS: Record<string, WasmVariant | 'auto'> = {
  auto: 'auto',
  simd: 'wasmsimd',
  relaxed: 'wasmrelaxedsimd',
  scalar: 'scalar',
};

// A one-function module using i32x4.splat: an engine that validates it runs SIMD128.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // body: i32.const 0; i32x4.splat; end
]);

export interface WasmKernels {
  readonly variant: WasmVariant;
  /** Whether the memory is shared (the threads build): other threads can run kernels on it (instantiateOnMemory). */
  readonly shared: boolean;
  /** The kernels, by name without the variant suffix. */
  readonly fn: WasmKernelFunctions;
  readonly memory: WasmMemory;
  /** First byte the allocator may hand out (after the module's static data). */
  readonly heapBase: number;
  /**
   * Reserves `bytes` of zeroed memory at an `align`-aligned offset, reusing freed blocks first, else growing the
   * memory. Growth detaches the old ArrayBuffer: re-create typed-array views (f32()) after any alloc.
   */
  alloc(bytes: number, align?: number): number;
  /** Gives back one allocation. */
  free(ptr: number): void;
  /** A mark to hand to reset(): the allocations made after it are the ones reset frees. */
  mark(): number;
  /** Frees everything allocated after `mark` (default: everything). */
  reset(mark?: number): void;
  /** What the allocator holds (for tests and inspect). */
  heapStats(): HeapStats;
  /** A Float32Array over `length` floats at byte offset `offset` of the current memory. */
  f32(offset: number, length: number): Float32Array;
  /** The full name of a kernel in this build, e.g. f32_gemm_4x8__wasmsimd. */
  kernelName(name: KernelName): string;
}

const cache = new Map<string, Promise<WasmKernels>>();

/**
 * The kernels of `variant`, or by default: EDGEINFER_WASM (simd, relaxed, scalar, auto) when set, else
 * SIMD128 when the engine validates a SIMD module, else scalar. Instantiated once per process and variant.
 * `shared: true` asks for the SIMD128 build on a shared memory (for intra-op threads); it rejects with
 * INPUT_INVALID where there is no SharedArrayBuffer (a browser page that is not cross-origin isolated) or SIMD.
 */
export function loadWasmKernels(options: { variant?: WasmVariant; shared?: boolean } = {}): Promise<WasmKernels> {
  let variant: WasmVariant;
  try {
    variant = options.variant ?? defaultVariant();
  } catch (err) {
    return Promise.reject(err);
  }
  const shared = options.shared === true;
  const key = shared ? `${variant}+shared` : variant;
  let loading = cache.get(key);
  if (!loading) {
    loading = shared ? instantiateShared(variant) : instantiate(variant);
    cache.set(key, loading);
    // A failed load may succeed later (e.g. after the generated modules are rebuilt): do not cache it.
    loading.catch(() => cache.delete(key));
  }
  return loading;
}

/** Whether this engine can run the shared-memory build (threads): SharedArrayBuffer, Atomics and SIMD128. */
export function sharedKernelsSupported(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && wasmVariantSupported('wasmsimd');
}

async function instantiateShared(variant: WasmVariant): Promise<WasmKernels> {
  if (variant !== 'wasmsimd') {
    throw new EdgeError('INPUT_INVALID', `intra-op threads run the SIMD128 kernels; the ${BUILDS[variant].what} build has no shared-memory form`, { actual: variant });
  }
  if (!sharedKernelsSupported()) {
    throw new EdgeError('INPUT_INVALID', 'intra-op threads need SharedArrayBuffer and WebAssembly SIMD128 (in a browser: a cross-origin isolated page)');
  }
  let memory: WasmMemory;
  try {
    memory = webAssembly()!.newMemory({ initial: 1, maximum: MAX_SHARED_PAGES, shared: true });
  } catch (err) {
    throw new EdgeError('INPUT_INVALID', `cannot create a shared WebAssembly memory: ${(err as Error).message}`, { cause: err });
  }
  const { fn, heapBase } = await instantiateOnMemory(memory, guarded);
  debugLog(1, 'WebAssembly kernels: SIMD128 build on shared memory (*__wasmsimd)');
  return bind(variant, fn, memory, heapBase, true);
}

/**
 * Instantiates the shared-memory build on `memory` (created by loadWasmKernels({ shared: true }) in the main
 * thread and posted to a worker): the worker's view of the same kernels. `wrap` may guard each function.
 */
export async function instantiateOnMemory(
  memory: WasmMemory,
  wrap: (name: string, f: (...args: number[]) => number) => (...args: number[]) => number = (_, f) => f,
): Promise<{ fn: WasmKernelFunctions; heapBase: number }> {
  let instance;
  try {
    ({ instance } = await webAssembly()!.instantiate(decodeBase64(SHARED_SIMD_BASE64), { env: { memory } }));
  } catch (err) {
    throw new EdgeError('INTERNAL', `cannot instantiate the shared-memory WebAssembly kernels: ${(err as Error).message}`, { cause: err });
  }
  return { fn: kernelFunctions(instance.exports, 'wasmsimd', 'SIMD128 on shared memory', wrap), heapBase: (instance.exports.heap_base as () => number)() };
}

/** Whether this engine runs a variant: SIMD128 by the probe, relaxed SIMD by validating its build. */
export function wasmVariantSupported(variant: WasmVariant): boolean {
  const api = webAssembly();
  if (!api) return false;
  if (variant === 'scalar') return true;
  if (variant === 'wasmsimd') return api.validate(SIMD_PROBE);
  return api.validate(decodeBase64(BUILDS.wasmrelaxedsimd.base64));
}

function defaultVariant(): WasmVariant {
  const env = envVar('EDGEINFER_WASM');
  const forced = env === undefined || env === '' ? 'auto' : ENV_VARIANTS[env];
  if (forced === undefined) {
    throw new EdgeError('INPUT_INVALID', `EDGEINFER_WASM is '${env}', expected one of ${Object.keys(ENV_VARIANTS).join(', ')}`, {
      expected: Object.keys(ENV_VARIANTS),
      actual: env,
    });
  }
  if (forced !== 'auto') return forced;
  return wasmVariantSupported('wasmsimd') ? 'wasmsimd' : 'scalar';
}

async function instantiate(variant: WasmVariant): Promise<WasmKernels> {
  const api = webAssembly();
  if (!api) throw new EdgeError('INTERNAL', 'this JavaScript engine has no WebAssembly');
  const build = BUILDS[variant];
  if (variant !== 'scalar' && !wasmVariantSupported(variant)) {
    const hint = variant === 'wasmrelaxedsimd' ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : '';
    throw new EdgeError('INPUT_INVALID', `WebAssembly ${build.what} is not supported by this engine${hint}`, { actual: variant });
  }
  let instance;
  try {
    ({ instance } = await api.instantiate(decodeBase64(build.base64), {}));
  } catch (err) {
    throw new EdgeError('INTERNAL', `cannot instantiate the ${build.what} WebAssembly kernels: ${(err as Error).message}`, { cause: err });
  }
  const exports = instance.exports;
  const memory = exports.memory as WasmMemory | undefined;
  const heapBase = exports.heap_base;
  if (!memory || typeof heapBase !== 'function') {
    throw new EdgeError('INTERNAL', `the ${build.what} WebAssembly kernels export no memory or heap_base: rebuild them (npm run build:wasm)`);
  }
  const fn = kernelFunctions(exports, variant, build.what, guarded);
  debugLog(1, `WebAssembly kernels: ${build.what} build (*__${variant})`);
  return bind(variant, fn, memory, (heapBase as () => number)(), false);
}

/** The exported kernels by short name, each passed through `wrap`; INTERNAL when the build lacks one. */
function kernelFunctions(
  exports: Record<string, unknown>,
  variant: WasmVariant,
  what: string,
  wrap: (name: string, f: (...args: number[]) => number) => (...args: number[]) => number,
): WasmKernelFunctions {
  const fn = {} as Record<KernelName, unknown>;
  const missing: string[] = [];
  for (const name of KERNEL_NAMES) {
    const full = `${name}__${variant}`;
    const f = exports[full];
    if (typeof f === 'function') fn[name] = wrap(full, f as (...args: number[]) => number);
    else missing.push(full);
  }
  if (missing.length > 0) {
    throw new EdgeError('INTERNAL', `the ${what} WebAssembly kernels lack ${missing.join(', ')}: rebuild them (npm run build:wasm)`, {
      details: missing,
    });
  }
  return fn as unknown as WasmKernelFunctions;
}

/** Wraps a kernel so that a trap (out-of-bounds access, unreachable) becomes an EdgeError naming it. */
function guarded(name: string, f: (...args: number[]) => number): (...args: number[]) => number {
  return (...args: number[]) => {
    try {
      return f(...args);
    } catch (err) {
      throw new EdgeError('INTERNAL', `WebAssembly kernel ${name} trapped: ${(err as Error).message}`, { cause: err, details: { kernel: name } });
    }
  };
}

function bind(variant: WasmVariant, fn: WasmKernelFunctions, memory: WasmMemory, heapBase: number, shared: boolean): WasmKernels {
  const heap = new WasmHeap(memory, heapBase);
  return {
    variant,
    shared,
    fn,
    memory,
    heapBase,
    alloc: (bytes, align) => heap.alloc(bytes, align),
    free: (ptr) => heap.free(ptr),
    mark: () => heap.mark(),
    reset: (mark) => heap.reset(mark),
    heapStats: () => heap.stats(),
    f32(offset: number, length: number): Float32Array {
      if (offset % 4 !== 0 || length < 0 || offset + length * 4 > memory.buffer.byteLength) {
        throw new EdgeError('INTERNAL', `wasm f32 view: ${length} floats at ${offset} do not fit an aligned slice of ${memory.buffer.byteLength} bytes`);
      }
      return new Float32Array(memory.buffer, offset, length);
    },
    kernelName: (name: KernelName) => `${name}__${variant}`,
  };
}

/** Base64 to bytes with atob, available in Node >= 16 and in browsers. */
function decodeBase64(b64: string): Uint8Array {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// Calls a kernel with its arguments in a Float64Array: how one thread hands another the call to make (a range
// of a node's work, runtime/threads/kernel-pool.ts) without a closure or an array per call.

/** Most arguments a kernel takes (f32_conv2d_direct_4x8 takes 24). */
export const MAX_KERNEL_ARGS = 24;

type AnyKernel = (...args: number[]) => unknown;

/** f(a[0], ..., a[MAX_KERNEL_ARGS - 1]): WebAssembly ignores the arguments past a function's own. */
export function callWithArgs(f: AnyKernel, a: Float64Array): void {
  f(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!,
    a[12]!, a[13]!, a[14]!, a[15]!, a[16]!, a[17]!, a[18]!, a[19]!, a[20]!, a[21]!, a[22]!, a[23]!);
}

// Environment knobs, read safely in Node and in browsers (where there is no process): EDGEINFER_DEBUG,
// EDGEINFER_WASM.

/** An environment variable, or undefined where the platform has none. */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** EDGEINFER_DEBUG as a level: 0 (off) to 3. */
export function debugLevel(): number {
  return Number(envVar('EDGEINFER_DEBUG') ?? 0) || 0;
}

/** Prints a diagnostic on stderr when EDGEINFER_DEBUG is at least `level`. */
export function debugLog(level: number, message: string): void {
  if (debugLevel() >= level) console.error(`edgeinfer: ${message}`);
}

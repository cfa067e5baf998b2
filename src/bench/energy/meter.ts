// What every energy meter offers (RAPL, hwmon), and the small file-system surface meters read sysfs through,
// so tests can point a meter at a fake sysfs tree and a fake clock.

import { readdirSync, readFileSync } from 'node:fs';

export interface EnergyMeter {
  /** Which counters it sums, e.g. `rapl:package-0+dram` or `hwmon:amd_energy/Esocket0`. */
  readonly name: string;
  /** How the figure is obtained, for EnergyReport.method. */
  readonly method: string;
  /**
   * Energy since the meter was opened, in µJ; never decreases (counter wrap-arounds are unfolded).
   * Throws an `INTERNAL` EdgeError if a counter that was readable at opening no longer is.
   */
  read(): number;
  /**
   * Longest time between two reads that keeps the figure right: a power meter integrates its samples
   * (the shorter the better), a wrapping counter must not wrap twice between reads.
   */
  readonly sampleIntervalMs: number;
}

/** Reads sysfs: directory listings, small text files and a monotonic clock. */
export interface SysfsIo {
  list(dir: string): string[];
  readText(path: string): string;
  /** Milliseconds from a monotonic clock. */
  nowMs(): number;
}

export const nodeSysfs: SysfsIo = {
  list: (dir) => readdirSync(dir),
  readText: (path) => readFileSync(path, 'utf8'),
  nowMs: () => performance.now(),
};

/** A sysfs number file: a non-negative decimal integer, or an Error saying why not. */
export function readCounter(io: SysfsIo, path: string): number | Error {
  let text: string;
  try {
    text = io.readText(path).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Since Linux 5.10 RAPL energy_uj is readable by root only (a power side-channel fix).
    const hint = code === 'EACCES' || code === 'EPERM' ? ' (not readable by this user; RAPL energy_uj is root-only since Linux 5.10)' : '';
    return new Error(`${path}: ${code ?? (err as Error).message}${hint}`);
  }
  if (!/^\d+$/.test(text)) return new Error(`${path}: '${text.slice(0, 40)}' is not a non-negative integer`);
  return Number(text);
}

/** Directory entries, or [] when the directory does not exist or cannot be listed. */
export function listDir(io: SysfsIo, dir: string): string[] {
  try {
    return io.list(dir).sort(naturalOrder);
  } catch {
    return [];
  }
}

/** hwmon2 before hwmon10, intel-rapl:0:1 before intel-rapl:0:10. */
export function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** A file's trimmed text, or undefined when it cannot be read. */
export function readOptionalText(io: SysfsIo, path: string): string | undefined {
  try {
    return io.readText(path).trim();
  } catch {
    return undefined;
  }
}

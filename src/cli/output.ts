// Terminal output helpers shared by the commands: tables, progress, number parsing.

import { EdgeError } from '../errors.js';

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i]!.length, i === header.length - 1 ? 200 : 60))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write(line(header) + '\n' + line(widths.map((w) => '-'.repeat(w))) + '\n');
  for (const r of rows) process.stdout.write(line(r) + '\n');
}

/** A one-line progress bar on stderr, only when stderr is a terminal. */
export interface Progress {
  /** One more item done. */
  tick(item?: string): void;
  /** `done` of `total` items (total may change as it becomes known). */
  set(done: number, total: number, item?: string): void;
  done(): void;
}

export function progress(total: number, label: string, enabled = true): Progress {
  const tty = enabled && process.stderr.isTTY;
  let n = 0;
  let shown = false;
  const draw = (item: string) => {
    if (!tty) return;
    shown = true;
    const width = 30;
    const filled = Math.min(width, Math.round((width * n) / Math.max(total, 1)));
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total} ${item.slice(0, 40).padEnd(40)}`);
  };
  return {
    tick(item = '') {
      n++;
      draw(item);
    },
    set(done: number, newTotal: number, item = '') {
      n = done;
      total = newTotal;
      draw(item);
    },
    done() {
      if (shown) process.stderr.write('\r' + ' '.repeat(100) + '\r');
    },
  };
}

export function parseNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new EdgeError('INPUT_INVALID', `${flag} must be a non-negative number, got '${text}'`);
  return v;
}

export function parseInteger(text: string | undefined, flag: string, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new EdgeError('INPUT_INVALID', `${flag} must be an integer ≥ ${min}, got '${text}'`);
  return v;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(2)} MiB`;
}

export function formatCount(n: number): string {
  if (n < 1e3) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

// Test helper: a fake sysfs tree in a temp folder with a settable clock, read the way a non-root process would.

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SysfsIo } from './meter.js';

export class FakeSysfs {
  readonly root = mkdtempSync(join(tmpdir(), 'edgeinfer-sysfs-'));
  clockMs = 0;

  /** Writes `value` (plus a newline, as sysfs does) at a path relative to the root. */
  write(rel: string, value: string | number): this {
    const path = join(this.root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${value}\n`);
    return this;
  }

  chmod(rel: string, mode: number): this {
    chmodSync(join(this.root, rel), mode);
    return this;
  }

  remove(rel: string): this {
    rmSync(join(this.root, rel), { force: true, recursive: true });
    return this;
  }

  dispose(): void {
    rmSync(this.root, { force: true, recursive: true });
  }

  /**
   * Reads like an unprivileged process: a file without read bits fails with EACCES even when the tests run as
   * root (root ignores modes, and CI containers often run as root).
   */
  readonly io: SysfsIo = {
    list: (dir) => readdirSync(dir),
    readText: (path) => {
      if ((statSync(path).mode & 0o444) === 0) {
        throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
      }
      return readFileSync(path, 'utf8');
    },
    nowMs: () => this.clockMs,
  };
}

// What the figures were measured on: CPU, cores, CPU quota, memory, load, Node and V8 versions.

import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  availableParallelism: number;
  /** cgroup v2 CPU limit ("max 100000" = none), when the process runs in a container. */
  cgroupCpuMax?: string;
  totalMemBytes: number;
  loadAverage1m: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  v8: string;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * CPU time used by the whole machine so far (all processes, including steal by the hypervisor),
 * from /proc/stat; undefined off Linux. Ticks are USER_HZ, 100 on every mainstream Linux build
 * (Node cannot ask sysconf), so this is only meaningful over a few hundred milliseconds.
 */
export function machineBusyMs(): number | undefined {
  const line = readOptional('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce((s: number, x) => s + (x ?? 0), 0);
  return ticks * 10;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism(),
    cgroupCpuMax: readOptional('/sys/fs/cgroup/cpu.max'),
    totalMemBytes: os.totalmem(),
    loadAverage1m: os.loadavg()[0]!,
    platform: process.platform,
    arch: process.arch,
    osRelease: os.release(),
    node: process.version,
    v8: process.versions.v8,
  };
}

// Tests of the RAPL and hwmon meters on fake sysfs trees: discovery, reading, wrap-around, permissions, choice of meter.

import { afterEach, describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { FakeSysfs } from './fake-sysfs.js';
import { nodeSysfs } from './meter.js';
import { findEnergyMeters, openEnergyMeter } from './open-meter.js';

const RAPL = 'class/powercap';
let fs: FakeSysfs;
afterEach(() => fs?.dispose());

function raplZone(sys: FakeSysfs, dir: string, name: string, energyUj: number, maxUj = 262143328850): void {
  sys.write(`${RAPL}/${dir}/name`, name).write(`${RAPL}/${dir}/energy_uj`, energyUj).write(`${RAPL}/${dir}/max_energy_range_uj`, maxUj);
}

describe('RAPL meter', () => {
  it('sums package and dram zones, skipping core/uncore subzones and the mmio duplicate', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'package-0', 1_000);
    raplZone(fs, 'intel-rapl:0:0', 'core', 500);
    raplZone(fs, 'intel-rapl:0:1', 'dram', 2_000);
    raplZone(fs, 'intel-rapl:1', 'package-1', 7_000);
    raplZone(fs, 'intel-rapl-mmio:0', 'package-0', 1_000);
    const meter = openEnergyMeter(fs.root, fs.io)!;
    expect(meter.name).toBe('rapl:package-0+package-1+dram');
    expect(meter.read()).toBe(0);
    fs.write(`${RAPL}/intel-rapl:0/energy_uj`, 1_250).write(`${RAPL}/intel-rapl:0:1/energy_uj`, 2_100).write(`${RAPL}/intel-rapl:0:0/energy_uj`, 9_999);
    expect(meter.read()).toBe(350);
    fs.write(`${RAPL}/intel-rapl:1/energy_uj`, 7_040);
    expect(meter.read()).toBe(390);
  });

  it('unfolds a counter that goes past max_energy_range_uj and restarts', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'package-0', 900, 1_000);
    const meter = openEnergyMeter(fs.root, fs.io)!;
    fs.write(`${RAPL}/intel-rapl:0/energy_uj`, 980);
    expect(meter.read()).toBe(80);
    fs.write(`${RAPL}/intel-rapl:0/energy_uj`, 100); // wrapped: 980 → 1000 ≡ 0 → 100
    expect(meter.read()).toBe(200);
    fs.write(`${RAPL}/intel-rapl:0/energy_uj`, 400);
    expect(meter.read()).toBe(500);
  });

  it('reports unavailable, with the reason, when energy_uj is root-only', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'package-0', 1_000);
    fs.chmod(`${RAPL}/intel-rapl:0/energy_uj`, 0o000);
    expect(openEnergyMeter(fs.root, fs.io)).toBeUndefined();
    const [rapl] = findEnergyMeters(fs.root, fs.io);
    console.log('probe:', rapl);
    expect(rapl!.meter).toBeUndefined();
    expect(rapl!.reason).toMatch(/energy_uj: EACCES.*root-only since Linux 5\.10/);
  });

  it.skipIf(process.getuid?.() === 0)('reports unavailable through the real file system when not root', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'package-0', 1_000);
    fs.chmod(`${RAPL}/intel-rapl:0/energy_uj`, 0o000);
    expect(openEnergyMeter(fs.root, nodeSysfs)).toBeUndefined();
  });

  it('keeps the package when only the dram counter is unreadable, and says so in its method', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'package-0', 10);
    raplZone(fs, 'intel-rapl:0:0', 'dram', 20);
    fs.chmod(`${RAPL}/intel-rapl:0:0/energy_uj`, 0o000);
    const meter = openEnergyMeter(fs.root, fs.io)!;
    expect(meter.name).toBe('rapl:package-0');
    expect(meter.method).toMatch(/skipped: .*intel-rapl:0:0\/energy_uj: EACCES/);
  });

  it('uses psys when there is no package zone', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'psys', 10);
    expect(openEnergyMeter(fs.root, fs.io)!.name).toBe('rapl:psys');
  });

  it('throws INTERNAL if a counter disappears after opening', () => {
    fs = new FakeSysfs();
    raplZone(fs, 'intel-rapl:0', 'package-0', 10);
    const meter = openEnergyMeter(fs.root, fs.io)!;
    fs.remove(`${RAPL}/intel-rapl:0/energy_uj`);
    expect(() => meter.read()).toThrow(EdgeError);
    expect(() => meter.read()).toThrow(/rapl:package-0: .*energy_uj: ENOENT/);
  });
});

describe('hwmon meters', () => {
  it('reads the socket channel of amd_energy, not the per-core ones, and unfolds a 32-bit wrap', () => {
    fs = new FakeSysfs();
    const dev = 'class/hwmon/hwmon2';
    fs.write(`${dev}/name`, 'amd_energy');
    fs.write(`${dev}/energy1_input`, 5).write(`${dev}/energy1_label`, 'Ecore000');
    fs.write(`${dev}/energy2_input`, 6).write(`${dev}/energy2_label`, 'Ecore001');
    fs.write(`${dev}/energy3_input`, 2 ** 32 - 100).write(`${dev}/energy3_label`, 'Esocket0');
    const meter = openEnergyMeter(fs.root, fs.io)!;
    expect(meter.name).toBe('hwmon:amd_energy/Esocket0');
    fs.write(`${dev}/energy3_input`, 50).write(`${dev}/energy1_input`, 1e6);
    expect(meter.read()).toBe(150);
  });

  it('integrates power*_input (µW) over time with trapezoids', () => {
    fs = new FakeSysfs();
    const dev = 'class/hwmon/hwmon0';
    fs.write(`${dev}/name`, 'ina219').write(`${dev}/power1_input`, 1_000_000); // 1 W
    fs.clockMs = 100;
    const meter = openEnergyMeter(fs.root, fs.io)!;
    expect(meter.name).toBe('hwmon:ina219/power1');
    expect(meter.sampleIntervalMs).toBeLessThanOrEqual(10);
    fs.write(`${dev}/power1_input`, 3_000_000);
    fs.clockMs = 1_100; // 1 s from 1 W to 3 W: 2 J
    expect(meter.read()).toBeCloseTo(2_000_000, 6);
    fs.clockMs = 1_600; // 0.5 s at 3 W: 1.5 J more
    expect(meter.read()).toBeCloseTo(3_500_000, 6);
  });

  it('prefers RAPL, then hwmon energy counters, then hwmon power; refuses ambiguous channels', () => {
    fs = new FakeSysfs();
    fs.write('class/hwmon/hwmon0/name', 'coretemp').write('class/hwmon/hwmon0/temp1_input', 40000);
    fs.write('class/hwmon/hwmon1/name', 'ina3221').write('class/hwmon/hwmon1/power1_input', 1).write('class/hwmon/hwmon1/power2_input', 2);
    fs.write('class/hwmon/hwmon2/name', 'sensor').write('class/hwmon/hwmon2/power1_input', 1);
    fs.write('class/hwmon/hwmon10/name', 'meter').write('class/hwmon/hwmon10/energy1_input', 1);
    const probes = findEnergyMeters(fs.root, fs.io);
    console.log(probes.map((p) => `${p.kind} ${p.where}: ${p.meter?.name ?? p.reason}`).join('\n'));
    expect(probes.map((p) => p.kind)).toEqual(['rapl', 'hwmon-energy', 'hwmon-power', 'hwmon-power']);
    expect(probes[2]!.reason).toMatch(/2 channels .*could count twice/);
    expect(openEnergyMeter(fs.root, fs.io)!.name).toBe('hwmon:meter/energy1');
    raplZone(fs, 'intel-rapl:0', 'package-0', 1);
    expect(openEnergyMeter(fs.root, fs.io)!.name).toBe('rapl:package-0');
  });

  it('finds no meter in an empty tree, and says where it looked', () => {
    fs = new FakeSysfs();
    expect(openEnergyMeter(fs.root, fs.io)).toBeUndefined();
    expect(findEnergyMeters(fs.root, fs.io)).toEqual([{ kind: 'rapl', where: `${fs.root}/class/powercap`, reason: `no intel-rapl zones in ${fs.root}/class/powercap` }]);
  });
});

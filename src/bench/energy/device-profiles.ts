// Named device profiles for the energy estimator: how Horowitz's 45 nm figures scale to a device's process and
// voltage, its memory levels, core overhead per instruction and SIMD lanes. Every figure says where it comes from.

import { HOROWITZ_45NM_MEMORY_PJ_PER_64BIT, sramPjPer64Bit45nm, type ArithClass } from './horowitz-45nm.js';

export interface MemoryLevel {
  name: string;
  bytes: number;
  /** Energy of one 64-bit access (read or write) on this device. */
  pjPer64Bit: number;
  /** Holds weights only, never activations (an MCU's flash). */
  weightsOnly?: boolean;
  basis: string;
}

export interface DeviceProfile {
  name: string;
  description: string;
  processNm: number;
  coreVolts: number;
  /** Factor on Horowitz's 45 nm arithmetic energies. */
  arithmeticScale: number;
  /** Smallest first. Activations take the smallest level that holds a node's working set. */
  levels: MemoryLevel[];
  /** Level weights are always read from (flash on an MCU); otherwise the smallest level holding them with the activations. */
  weightsHome?: string;
  /** Core energy per issued instruction besides its arithmetic: fetch, decode, register file, control. */
  instructionPj: number;
  /** Operations per instruction by class (SIMD lanes): a MAC is one lane of a multiply-accumulate. */
  lanes: Record<ArithClass, number>;
  /** Kernels skip MACs of zero weights: the default of the estimator's sparsityAware option. */
  sparsityAware: boolean;
  /** What is a published fact, what is assumed. */
  sources: string[];
  assumptions: string[];
}

/** First-order CMOS scaling of switching energy C·V² from 45 nm, 0.9 V: C ∝ feature size (an assumption below 28 nm). */
export function processScale(nm: number, volts: number): number {
  return (nm / 45) * (volts / 0.9) ** 2;
}

/** Horowitz's in-order 45 nm core: ≈70 pJ per instruction of which the add is 0.1 pJ (keynote slide, unverified here). */
export const INSTRUCTION_PJ_45NM = 70;

const KB = 1024;
const MB = 1024 * KB;

function sram(name: string, bytes: number, scale: number): MemoryLevel {
  return { name, bytes, pjPer64Bit: sramPjPer64Bit45nm(bytes) * scale, basis: 'Horowitz 2014 SRAM/cache sizes, log-log interpolated, × process scale' };
}

const DRAM: MemoryLevel = {
  name: 'DRAM',
  bytes: Infinity,
  pjPer64Bit: HOROWITZ_45NM_MEMORY_PJ_PER_64BIT.dramLow,
  basis: 'Horowitz 2014 DRAM, low end of 1.3–2.6 nJ; not process-scaled (I/O and array dominated; Han et al. 2015: 640 pJ per 32 bits agrees)',
};

function profile(p: Omit<DeviceProfile, 'arithmeticScale' | 'instructionPj'>, complexity: number): DeviceProfile {
  const arithmeticScale = processScale(p.processNm, p.coreVolts);
  return { ...p, arithmeticScale, instructionPj: INSTRUCTION_PJ_45NM * arithmeticScale * complexity };
}

const m7Scale = processScale(40, 1.2);
const a72Scale = processScale(28, 0.9);
const x86Scale = processScale(14, 1.0);

export const DEVICE_PROFILES: Readonly<Record<string, DeviceProfile>> = {
  'cortex-m7': profile(
    {
      name: 'cortex-m7',
      description: 'Cortex-M7 microcontroller, STM32H743 class: 40 nm, 480 MHz, 128 KB DTCM + 512 KB AXI SRAM, 2 MB flash, no DRAM',
      processNm: 40,
      coreVolts: 1.2,
      levels: [
        sram('DTCM 128 KB', 128 * KB, m7Scale),
        sram('AXI SRAM 512 KB', 512 * KB, m7Scale),
        { ...sram('flash 2 MB', 2 * MB, 2 * m7Scale), weightsOnly: true, basis: 'assumption: embedded flash read ≈ 2 × an SRAM of its size' },
      ],
      weightsHome: 'flash 2 MB',
      // FPv5 FPU is scalar; int8 MACs run as SMLAD, two 16-bit MACs per instruction (CMSIS-NN).
      lanes: { i8: 2, i16: 2, i32: 1, i64: 1, f16: 1, f32: 1, f64: 1 },
      sparsityAware: true,
      sources: ['STM32H743 datasheet class figures: 40 nm, memory sizes', 'Arm Cortex-M7 TRM: FPv5 scalar FPU, DSP SMLAD'],
      assumptions: ['core at 1.2 V (VOS1 range)', 'in-order dual-issue core: instruction overhead 1 × the 45 nm in-order figure', 'weights execute in place from flash (TFLite Micro style)', 'fp16 costed at fp16 energies although the M7 computes it in fp32'],
    },
    1,
  ),
  'cortex-a72': profile(
    {
      name: 'cortex-a72',
      description: 'Cortex-A72 core of a Raspberry Pi 4 class board (BCM2711): 28 nm, 32 KB L1D, 1 MB shared L2, LPDDR4',
      processNm: 28,
      coreVolts: 0.9,
      levels: [sram('L1D 32 KB', 32 * KB, a72Scale), sram('L2 1 MB', 1 * MB, a72Scale), DRAM],
      // NEON 128-bit: 4 fp32 FMA lanes; ARMv8.0 has no SDOT, int8 MACs widen to 16-bit SMLAL lanes (8).
      lanes: { i8: 8, i16: 8, i32: 4, i64: 2, f16: 4, f32: 4, f64: 2 },
      sparsityAware: true,
      sources: ['BCM2711: 28 nm, 4 × Cortex-A72, 1 MB L2 (Raspberry Pi documentation)', 'Arm Cortex-A72 TRM: 32 KB L1D, NEON 128-bit'],
      assumptions: ['core at 0.9 V', 'out-of-order 3-wide core: instruction overhead 3 × the 45 nm in-order figure', 'LPDDR4 access at the low end of Horowitz’s DRAM range'],
    },
    3,
  ),
  'x86-laptop-core': profile(
    {
      name: 'x86-laptop-core',
      description: 'One core of a recent x86 laptop chip with AVX2/FMA: 48 KB L1D, 1.25 MB L2, 12 MB shared L3, DDR4/LPDDR4x',
      processNm: 14,
      coreVolts: 1.0,
      levels: [
        sram('L1D 48 KB', 48 * KB, x86Scale),
        sram('L2 1.25 MB', 1.25 * MB, x86Scale),
        { ...sram('L3 12 MB', 12 * MB, x86Scale), basis: 'extrapolated beyond Horowitz’s 1 MB point (≈ √capacity), × process scale: assumption' },
        DRAM,
      ],
      // AVX2: 8 fp32 FMA lanes; int8 via VPMADDUBSW + VPMADDWD, about 16 MACs per instruction.
      lanes: { i8: 16, i16: 16, i32: 8, i64: 4, f16: 8, f32: 8, f64: 4 },
      sparsityAware: true,
      sources: ['Intel Tiger Lake / Alder Lake P-core class cache sizes', 'AVX2 and FMA3 instruction widths'],
      assumptions: [
        'a 10 nm-class FinFET node costed as 14 nm under C·V² scaling (capacitance lags the node name)',
        'core at 1.0 V',
        'wide out-of-order core: instruction overhead 5 × the 45 nm in-order figure',
        'no AVX-512/VNNI',
      ],
    },
    5,
  ),
};

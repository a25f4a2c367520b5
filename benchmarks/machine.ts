// What the numbers were measured on, and the per-core limit they are compared with.
import { cpus } from "node:os";
import { existsSync, readFileSync } from "node:fs";

/** 128-bit SIMD, two FMA (or one mul + one add pair) pipes: 2 x 4 lanes x 2 flops per cycle. */
export const FLOPS_PER_CYCLE = 16;

export interface Machine {
  cpu: string;
  cores: number;
  /** Clock from /proc/cpuinfo (the nominal one on a VM; boost may run higher), or from os.cpus(). */
  mhz: number;
  /** FLOPS_PER_CYCLE x clock: the per-core limit of 128-bit WASM SIMD, GFLOP/s. */
  peakGflops: number;
  node: string;
  v8: string;
}

export function machine(ghzOverride?: number): Machine {
  const c = cpus();
  let mhz = c[0]?.speed ?? 0;
  if (existsSync("/proc/cpuinfo")) {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) mhz = Number(m[1]);
  }
  if (ghzOverride) mhz = ghzOverride * 1000;
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    mhz,
    peakGflops: (FLOPS_PER_CYCLE * mhz) / 1000,
    node: process.version,
    v8: process.versions.v8,
  };
}

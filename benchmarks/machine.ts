// What the numbers were measured on, and the per-core limit they are compared with.
import { cpus } from "node:os";
import { existsSync, readFileSync } from "node:fs";

/** 128-bit SIMD, two FMA (or one mul + one add pair) pipes: 2 x 4 lanes x 2 flops per cycle. */
export const FLOPS_PER_CYCLE = 16;

export interface Machine {
  cpu: string;
  cores: number;
  /** Clock the limit uses: --ghz if given, else the measured one (measuredMhz). */
  mhz: number;
  /** Clock from /proc/cpuinfo (the nominal one on a VM), or from os.cpus(). */
  nominalMhz: number;
  /** Clock measured by a dependent chain of one-cycle integer operations (measuredGhz). */
  measuredMhz: number;
  /** FLOPS_PER_CYCLE x clock: the per-core limit of 128-bit WASM SIMD, GFLOP/s. */
  peakGflops: number;
  node: string;
  v8: string;
}

// x = (x + y) | 0 and x ^= z compile to one add and one xor, each waiting for the last: one cycle
// apiece on every core V8 targets, so the chain runs at the clock, whatever the pipeline width.
function chain(n: number, x: number, y: number, z: number): number {
  for (let i = 0; i < n; i++) {
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
    x = (x + y) | 0;
    x ^= z;
  }
  return x;
}

/**
 * The clock this core runs at now, GHz: boost clocks, and a VM's real clock, which /proc/cpuinfo
 * does not show. The fastest of a few timed runs after warm-up (a run can only be slowed down).
 */
export function measuredGhz(): number {
  chain(1e6, 3, 5, 7);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const n = 2e7;
    const t0 = performance.now();
    if (chain(n, r, 5, 7) === 0.5) throw new Error("unreachable: keeps the chain's result alive");
    best = Math.max(best, (16 * n) / ((performance.now() - t0) * 1e6));
  }
  return best;
}

export function machine(ghzOverride?: number): Machine {
  const c = cpus();
  let nominalMhz = c[0]?.speed ?? 0;
  if (existsSync("/proc/cpuinfo")) {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) nominalMhz = Number(m[1]);
  }
  const measuredMhz = Math.round(measuredGhz() * 1000);
  const mhz = ghzOverride ? ghzOverride * 1000 : measuredMhz;
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    mhz,
    nominalMhz,
    measuredMhz,
    peakGflops: (FLOPS_PER_CYCLE * mhz) / 1000,
    node: process.version,
    v8: process.versions.v8,
  };
}

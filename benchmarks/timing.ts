// Timing helpers: warm up first, then time each repetition separately so medians can be taken.
// Each repetition records wall time and the CPU time of this process: on a machine shared with other
// work, a call longer than a scheduler slice is often preempted and its wall time inflates, while its
// CPU time does not. For one-thread work the CPU time is the fairer number; with worker threads it
// sums over threads, so only wall time measures them.

export interface Times {
  wall: number[];
  cpu: number[];
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function timeIt(fn: () => void, reps: number, warmup = 3): Times {
  for (let i = 0; i < warmup; i++) fn();
  const out: Times = { wall: [], cpu: [] };
  for (let i = 0; i < reps; i++) {
    const c0 = cpuMs(),
      t0 = performance.now();
    fn();
    out.wall.push(performance.now() - t0);
    out.cpu.push(cpuMs() - c0);
  }
  return out;
}

/** As timeIt, for asynchronous work (the tfjs peers). */
export async function timeItAsync(fn: () => Promise<void>, reps: number, warmup = 3): Promise<Times> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: Times = { wall: [], cpu: [] };
  for (let i = 0; i < reps; i++) {
    const c0 = cpuMs(),
      t0 = performance.now();
    await fn();
    out.wall.push(performance.now() - t0);
    out.cpu.push(cpuMs() - c0);
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Median wall and CPU milliseconds. */
export function medians(t: Times): { ms: number; cpuMs: number } {
  return { ms: median(t.wall), cpuMs: median(t.cpu) };
}

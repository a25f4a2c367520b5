// Peer: PyTorch on the CPU, through benchmarks/peers/torch_step.py, when Debian's python3-torch is
// importable from /usr/bin/python3, or torch from the interpreter named by FEATPURE_PYTHON (it is not
// a dependency of featpure; CI does not install it).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EPS, LR, type Workload } from "../workload.js";

export const PYTHON = process.env.FEATPURE_PYTHON || "/usr/bin/python3";

export interface TorchTiming {
  torch: string;
  threads: number;
  clean: number;
  adversarial: number;
  cleanCpu: number;
  adversarialCpu: number;
}

function script(): string | null {
  // From dist/benchmarks/peers the .py file is in the source tree three levels up.
  for (const rel of ["./torch_step.py", "../../../benchmarks/peers/torch_step.py"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

export function torchAvailable(): boolean {
  return existsSync(PYTHON) && script() !== null && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

export function torchStep(w: Workload, threads: number, steps: number, reps: number): TorchTiming | null {
  const path = script();
  if (!path || !torchAvailable()) return null;
  const small = w.shape.B * w.shape.d <= 1 << 16;
  const job = {
    ...w.shape, eps: EPS, lr: LR, threads, steps, reps, warmup: 5,
    // The same batches and initial W for the default shape; at large shapes the script draws its own.
    ...(small ? { xs: w.xs.map((x) => Array.from(x)), ys: w.ys.map((y) => Array.from(y)), W: Array.from(w.W) } : {}),
  };
  // torch.set_num_threads does not reach OpenBLAS's own pthread pool, which Debian's torch calls for
  // matrix products: without these, "one thread" ran on every core.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(PYTHON, [path], { input: JSON.stringify(job), encoding: "utf8", maxBuffer: 1 << 20, env });
  if (r.status !== 0) throw new Error(`PyTorch peer failed: ${r.stderr.trim().split("\n").pop()}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as TorchTiming;
}

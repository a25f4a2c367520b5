// Peer: PyTorch on the CPU, through benchmarks/peers/torch_step.py, when Debian's python3-torch is
// importable from /usr/bin/python3, or torch from the interpreter named by FEATPURE_PYTHON (it is not
// a dependency of featpure; CI does not install it). One long-lived Python process per setting
// (thread count, BLAS environment), so that its rounds can take turns with featpure's in one run.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const PYTHON = process.env.FEATPURE_PYTHON || "/usr/bin/python3";

/**
 * Environment variables that choose OpenBLAS's kernel and blocking instead of its own detection of
 * the processor. Machines set them because older OpenBLAS builds miscompute or crash on some
 * processors; they can also make it run a slower kernel than the processor allows.
 */
export const BLAS_OVERRIDES = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

/**
 * glibc's malloc hands tensors above its mmap threshold fresh pages from the kernel and returns the
 * heap's top beyond its trim threshold: PyTorch's N x N temporaries of the contrastive step then
 * fault in every page on every step. These tunables keep them in the heap (a setting a user can set).
 */
export const KEEP_HEAP = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824";

/** How a peer ran: everything that decides its speed, recorded in every peer row. */
export interface PeerSettings {
  /** Library and version ("PyTorch 1.13.1", "tfjs-backend-wasm 4.22.0"). */
  version: string;
  threads: number;
  processor: string;
  /** The BLAS environment overrides in force (name: value, null when unset), and whether the bench dropped the shell's. */
  env: Record<string, string | null>;
  overrides: "shell" | "dropped";
  /** PyTorch: GLIBC_TUNABLES as the bench set it (KEEP_HEAP), or null. */
  malloc?: string | null;
  /** PyTorch: what torch was built against (torch.__config__.show()) and what runs (threadpoolctl). */
  blas?: {
    built: string;
    library?: string;
    version?: string;
    kernel?: string;
    threadingLayer?: string;
    threads?: number;
    threadpoolctl?: string;
  };
  /** tfjs-backend-wasm: which of its builds ran. */
  simd?: boolean;
  wasmThreads?: boolean;
}

/** What the check command returns: loss and gradients at the initial parameters, clean and after PGD from a given start. */
export type CheckResult = Record<"clean" | "adversarial", { loss: number; grads: Record<string, number[]> }>;

function script(): string | null {
  // From dist/benchmarks/peers the .py file is in the source tree three levels up.
  for (const rel of ["./torch_step.py", "../../../benchmarks/peers/torch_step.py"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** Why PyTorch cannot run here, or null when it can. */
export function torchMissing(python = PYTHON): string | null {
  if (!existsSync(python)) return `${python} not found`;
  if (!script()) return "benchmarks/peers/torch_step.py not found";
  // Finding the module, not importing it (seconds): a broken install fails when the peer starts.
  const r = spawnSync(python, ["-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"], {
    encoding: "utf8",
  });
  return r.status === 0 ? null : `torch not importable from ${python} (FEATPURE_PYTHON names another interpreter)`;
}

/** The environment of a PyTorch process on `threads` threads, with or without the shell's BLAS overrides. */
export function torchEnv(
  threads: number,
  dropOverrides: boolean,
  keepHeap: boolean,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  // torch.set_num_threads does not reach OpenBLAS's own pthread pool, which Debian's torch calls for
  // matrix products: without these, "one thread" ran on every core.
  const env: NodeJS.ProcessEnv = { ...base, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  if (dropOverrides) for (const k of BLAS_OVERRIDES) delete env[k];
  if (keepHeap) env.GLIBC_TUNABLES = KEEP_HEAP;
  return env;
}

export class TorchPeer {
  private replies: ((line: string) => void)[] = [];
  private stderr = "";
  /** How this process runs, from its own report (filled by start). */
  settings!: PeerSettings;

  private constructor(private proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (line) => this.replies.shift()?.(line));
    proc.stderr.on("data", (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-2000);
    });
  }

  /** Starts a PyTorch process on `threads` threads; dropOverrides removes BLAS_OVERRIDES from its environment, keepHeap sets KEEP_HEAP. */
  static async start(threads: number, dropOverrides: boolean, keepHeap: boolean, python = PYTHON): Promise<TorchPeer> {
    const peer = new TorchPeer(
      spawn(python, [script()!, String(threads)], { env: torchEnv(threads, dropOverrides, keepHeap), stdio: ["pipe", "pipe", "pipe"] }),
    );
    const info = await peer.request<{
      torch: string;
      threads: number;
      processor: string;
      blas: PeerSettings["blas"];
      env: Record<string, string | null>;
    }>({ cmd: "info" });
    peer.settings = {
      version: `PyTorch ${info.torch}`,
      threads: info.threads,
      processor: info.processor,
      env: Object.fromEntries(BLAS_OVERRIDES.map((k) => [k, info.env[k] ?? null])),
      overrides: dropOverrides ? "dropped" : "shell",
      malloc: keepHeap ? KEEP_HEAP : null,
      blas: info.blas,
    };
    return peer;
  }

  request<T>(msg: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`PyTorch peer exited: ${this.stderr.trim().split("\n").pop() ?? ""}`));
      this.proc.once("exit", onExit);
      this.replies.push((line) => {
        this.proc.off("exit", onExit);
        const r = JSON.parse(line);
        if (r.error) reject(new Error(`PyTorch peer: ${r.error}`));
        else resolve(r as T);
      });
      this.proc.stdin.write(JSON.stringify(msg) + "\n");
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

// One interface for everything the peers section times: featpure itself and each peer setting (a
// PyTorch process on some threads and BLAS environment, a tfjs backend, plain JS), so that they can
// take turns round by round on the same workloads.
import { createEngine, type Backend } from "../../src/engine/wasm.js";
import { featpureContrastiveCheck, featpureSupervisedCheck } from "../agreement.js";
import { runContrastiveSteps } from "../contrastiveStep.js";
import { runSteps } from "../steps.js";
import { EPS, LR, type ContrastiveWorkload, type Workload } from "../workload.js";
import { TorchPeer, type CheckResult, type PeerSettings } from "./torch.js";
import { jsStep } from "./js.js";

export type Task = "supervised" | "contrastive";
export type StepKind = "clean" | "adversarial";
export const TASKS: Task[] = ["supervised", "contrastive"];
export const STEP_KINDS: StepKind[] = ["clean", "adversarial"];

export interface Workloads {
  supervised: Workload;
  /** Absent where only the supervised step is timed (the scaling section). */
  contrastive?: ContrastiveWorkload;
}

export interface Contender {
  /** featpure, PyTorch, tfjs-backend-wasm, tfjs-backend-cpu, plain JS: the best of a family is what the summary quotes. */
  family: string;
  /** This setting, in words ("PyTorch 1.13.1, 1 thread, BLAS overrides dropped"). */
  label: string;
  threads: number;
  /** How a peer ran (null for featpure, whose backend and threads are its label). */
  settings: PeerSettings | null;
  tasks: Task[];
  load(task: Task): Promise<void>;
  /** ms per step of `steps` steps of the loaded task: wall time, and CPU time of the process that ran them. */
  time(kind: StepKind, steps: number): Promise<{ ms: number; cpuMs: number }>;
  /** Loss and gradients at the initial parameters on the first batch, clean and after PGD from delta (B,d). */
  check(delta: Float32Array): Promise<CheckResult>;
  close(): void;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Times fn (running `steps` steps) in this process. */
export async function timeSteps(steps: number, fn: () => void | Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  const c0 = cpuMs(),
    t0 = performance.now();
  await fn();
  return { ms: (performance.now() - t0) / steps, cpuMs: (cpuMs() - c0) / steps };
}

export async function featpureContender(backend: Backend, threads: number, w: Workloads): Promise<Contender> {
  const engine = await createEngine({ backend, threads });
  let task: Task = "supervised";
  let seed = 0;
  return {
    family: "featpure",
    label: `featpure ${backend}, ${engine.threads} thread${engine.threads > 1 ? "s" : ""}`,
    threads: engine.threads,
    settings: null,
    tasks: TASKS,
    async load(t) {
      task = t;
    },
    time: (kind, steps) =>
      timeSteps(steps, () =>
        task === "supervised"
          ? runSteps(engine, w.supervised, steps, kind === "adversarial", ++seed)
          : runContrastiveSteps(engine, w.contrastive!, steps, kind === "adversarial", ++seed),
      ),
    async check(delta) {
      return task === "supervised"
        ? featpureSupervisedCheck(engine, w.supervised, delta)
        : featpureContrastiveCheck(engine, w.contrastive!, delta);
    },
    close: () => engine.close(),
  };
}

/** The load command of torch_step.py for a task: the caller's data and initial parameters. */
function torchJob(task: Task, w: Workloads): object {
  if (task === "supervised") {
    const s = w.supervised;
    return {
      ...s.shape,
      eps: EPS,
      lr: LR,
      xs: s.xs.map((x) => Array.from(x)),
      ys: s.ys.map((y) => Array.from(y)),
      W: Array.from(s.W),
      thr: Array.from(s.thr),
      A: Array.from(s.A),
    };
  }
  const c = w.contrastive!;
  return {
    ...c.shape,
    eps: c.cfg.adv.eps,
    lr: c.cfg.optim.lr,
    tau: c.cfg.contrastive.tau,
    xs: c.xs.map((x) => Array.from(x)),
    W: Array.from(c.W),
    thr: Array.from(c.thr),
  };
}

export async function torchContender(
  threads: number,
  dropOverrides: boolean,
  keepHeap: boolean,
  w: Workloads,
  python?: string,
): Promise<Contender> {
  const peer = await TorchPeer.start(threads, dropOverrides, keepHeap, python);
  const s = peer.settings;
  const blas = s.blas?.kernel ? `, OpenBLAS ${s.blas.kernel}` : "";
  return {
    family: "PyTorch",
    label: `${s.version}, ${s.threads} thread${s.threads > 1 ? "s" : ""}${blas}, BLAS overrides ${s.overrides === "dropped" ? "dropped" : "as the shell sets them"}${keepHeap ? ", malloc keeping its heap" : ""}`,
    threads: s.threads,
    settings: s,
    tasks: TASKS,
    async load(task) {
      await peer.request({ cmd: "load", task, ...torchJob(task, w) });
    },
    time: (kind, steps) => peer.request({ cmd: "time", kind, steps }),
    async check(delta) {
      return peer.request<CheckResult>({ cmd: "check", delta: Array.from(delta) });
    },
    close: () => peer.close(),
  };
}

/** Plain JavaScript on Float32Arrays (benchmarks/peers/js.ts): the supervised step only. */
export function jsContender(w: Workloads): Contender {
  const js = jsStep(w.supervised);
  return {
    family: "plain JS",
    label: "plain JS (Float32Array), 1 thread",
    threads: 1,
    settings: null,
    tasks: ["supervised"],
    async load() {},
    time: (kind, steps) =>
      timeSteps(steps, () => {
        for (let i = 0; i < steps; i++) js[kind]();
      }),
    async check(delta) {
      return js.check(delta);
    },
    close() {},
  };
}

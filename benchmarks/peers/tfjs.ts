// Peer: the benchmark's steps in TensorFlow.js 4.22 with the wasm (XNNPACK) or cpu backend, written
// as a tfjs user would: tf.grad for the attack, an Adam optimiser. The @tensorflow/tfjs bundle, not
// tfjs-core alone, because only the bundle registers the gradients in Node. Loaded on demand: tfjs is
// a dev dependency, so an installed featpure skips this peer.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cpus } from "node:os";
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from "@tensorflow/tfjs";
import { EPS, LR } from "../workload.js";
import { timeSteps, type Contender, type Task, type Workloads } from "./contender.js";
import type { CheckResult, PeerSettings } from "./torch.js";

export type TfBackend = "wasm" | "cpu";
type Tf = typeof import("@tensorflow/tfjs");

/** A task's step on tfjs: one step of either kind, and the check (loss and gradients from a given start). */
interface TfTask {
  step(adversarial: boolean): void;
  check(delta: Float32Array): CheckResult;
  dispose(): void;
}

const rowNorm = (tf: Tf, t: Tensor2D) => tf.sqrt(tf.sum(tf.square(t), 1, true));

/** l2 PGD ascent of objective(x + delta) from delta, as featpure's attack: normalised steps, projection onto the ball. */
function pgd(tf: Tf, objective: (x: Tensor) => Scalar, x: Tensor2D, delta: Tensor2D, steps: number, eps: number): Tensor2D {
  const gradX = tf.grad(objective) as (x: Tensor) => Tensor2D;
  const alpha = (2.5 * eps) / steps;
  for (let s = 0; s < steps; s++) {
    const g = gradX(tf.add(x, delta));
    delta = tf.add(delta, tf.mul(alpha, tf.div(g, tf.maximum(rowNorm(tf, g), 1e-12))));
    delta = tf.mul(delta, tf.minimum(1, tf.div(eps, tf.maximum(rowNorm(tf, delta), 1e-12))));
  }
  return delta;
}

function l2Start(tf: Tf, B: number, d: number, eps: number): Tensor2D {
  const g0 = tf.randomNormal([B, d]) as Tensor2D;
  return tf.mul(tf.div(g0, rowNorm(tf, g0)), tf.mul(eps, tf.pow(tf.randomUniform([B, 1]), 1 / d))) as Tensor2D;
}

/** Gradients of f with respect to vars, as arrays in featpure's layouts (W as (m,d)). */
function lossAndGrads(
  tf: Tf,
  f: () => Scalar,
  vars: Record<string, Variable>,
  transposed: string[],
): { loss: number; grads: Record<string, number[]> } {
  const { value, grads } = tf.variableGrads(f, Object.values(vars));
  const out: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(vars)) {
    const g = grads[v.name];
    out[name] = Array.from((transposed.includes(name) ? tf.transpose(g) : g).dataSync());
  }
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

function supervised(tf: Tf, w: Workloads["supervised"]): TfTask {
  const { d, m, B, pgd: steps } = w.shape;
  // W is kept as (d, m): tfjs-wasm runs A·B far faster than A·Bᵀ.
  const vars: Record<"W" | "thr" | "A", Variable> = {
    W: tf.variable(tf.transpose(tf.tensor2d(w.W, [m, d]))),
    thr: tf.variable(tf.tensor1d(w.thr)),
    A: tf.variable(tf.tensor2d(w.A, [m, 1])),
  };
  const init = Object.values(vars).map((v) => tf.keep(v.clone()));
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  const net = (x: Tensor2D) => {
    const p = tf.matMul(x, vars.W as Tensor2D);
    const h = tf.sub(tf.relu(tf.sub(p, vars.thr)), tf.relu(tf.sub(tf.neg(p), vars.thr))) as Tensor2D;
    return tf.reshape(tf.matMul(h, vars.A as Tensor2D), [B]);
  };
  const xs = w.xs.map((x) => tf.keep(tf.tensor2d(x, [B, d])));
  const ys = w.ys.map((y) => tf.keep(tf.tensor1d(y)));
  const loss = (x: Tensor2D, y: Tensor1D) => tf.mean(tf.softplus(tf.neg(tf.mul(y, net(x))))) as Scalar;
  // The attack objective -y·f(x), as featpure's (its gradient has the logistic loss's direction).
  const attack = (x: Tensor2D, y: Tensor1D, delta: Tensor2D) =>
    tf.add(
      x,
      pgd(tf, (xa) => tf.sum(tf.mul(tf.neg(y), net(xa as Tensor2D))) as Scalar, x, delta, steps, EPS),
    ) as Tensor2D;
  let batch = 0;
  return {
    step(adversarial) {
      const i = batch++ % xs.length;
      tf.tidy(() => {
        const x = adversarial ? attack(xs[i], ys[i], l2Start(tf, B, d, EPS)) : xs[i];
        opt.minimize(() => loss(x, ys[i]), false, Object.values(vars));
        vars.thr.assign(tf.relu(vars.thr));
      });
      // Block until the backend has finished the step.
      vars.W.dataSync();
    },
    check(delta) {
      const trained = Object.values(vars).map((v) => v.clone());
      Object.values(vars).forEach((v, k) => v.assign(init[k]));
      const out = tf.tidy(() => {
        const x = xs[0],
          y = ys[0];
        const clean = lossAndGrads(tf, () => loss(x, y), vars, ["W"]);
        const xadv = attack(x, y, tf.tensor2d(delta, [B, d]));
        return { clean, adversarial: lossAndGrads(tf, () => loss(xadv, y), vars, ["W"]) };
      });
      Object.values(vars).forEach((v, k) => v.assign(trained[k]));
      tf.dispose(trained);
      return out;
    },
    dispose: () => tf.dispose([...Object.values(vars), ...init, ...xs, ...ys]),
  };
}

function contrastive(tf: Tf, w: NonNullable<Workloads["contrastive"]>): TfTask {
  const { d, m, B, pgd: steps } = w.shape;
  const { tau } = w.cfg.contrastive,
    eps = w.cfg.adv.eps;
  const vars: Record<"W", Variable> = { W: tf.variable(tf.transpose(tf.tensor2d(w.W, [m, d]))) };
  const init = tf.keep(vars.W.clone());
  const thr = tf.keep(tf.tensor1d(w.thr));
  const opt = tf.train.adam(w.cfg.optim.lr, 0.9, 0.999, 1e-8);
  const xs = w.xs.map((x) => tf.keep(tf.tensor2d(x, [2 * B, d])));
  // Row i's positive is row i + B and the reverse; the diagonal is no candidate.
  const pos = tf.keep(tf.oneHot(tf.concat([tf.range(B, 2 * B, 1, "int32"), tf.range(0, B, 1, "int32")]), 2 * B));
  const diag = tf.keep(tf.mul(tf.eye(2 * B), -1e9));
  const loss = (x: Tensor2D) => {
    const p = tf.matMul(x, vars.W as Tensor2D);
    const h = tf.sub(tf.relu(tf.sub(p, thr)), tf.relu(tf.sub(tf.neg(p), thr))) as Tensor2D;
    const z = tf.div(h, tf.sqrt(tf.add(tf.sum(tf.square(h), 1, true), 1e-8)));
    const s = tf.add(tf.div(tf.matMul(z, z, false, true), tau), diag);
    return tf.neg(tf.mean(tf.sum(tf.mul(pos, tf.logSoftmax(s)), 1))) as Scalar;
  };
  const attack = (x: Tensor2D, delta: Tensor2D) => {
    const [v1, v2] = tf.split(x, 2) as Tensor2D[];
    return tf.concat([
      tf.add(
        v1,
        pgd(tf, (a) => loss(tf.concat([a as Tensor2D, v2])), v1, delta, steps, eps),
      ),
      v2,
    ]) as Tensor2D;
  };
  let batch = 0;
  return {
    step(adversarial) {
      const i = batch++ % xs.length;
      tf.tidy(() => {
        const x = adversarial ? attack(xs[i], l2Start(tf, B, d, eps)) : xs[i];
        opt.minimize(() => loss(x), false, [vars.W]);
      });
      vars.W.dataSync();
    },
    check(delta) {
      const trained = vars.W.clone();
      vars.W.assign(init);
      const out = tf.tidy(() => {
        const clean = lossAndGrads(tf, () => loss(xs[0]), vars, ["W"]);
        // Attacked first: inside variableGrads the attack's own tf.grad would be recorded too.
        const xadv = attack(xs[0], tf.tensor2d(delta, [B, d]));
        return { clean, adversarial: lossAndGrads(tf, () => loss(xadv), vars, ["W"]) };
      });
      vars.W.assign(trained);
      trained.dispose();
      return out;
    },
    dispose: () => tf.dispose([vars.W, init, thr, pos, diag, ...xs]),
  };
}

/** What the wasm backend could run here: tfjs chooses its build by these flags. */
async function wasmBuild(tf: Tf): Promise<{ simd: boolean; wasmThreads: boolean }> {
  return {
    simd: (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean,
    wasmThreads: (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean,
  };
}

/** tfjs on `backend`, or null when tfjs is not installed or the backend does not start. */
export async function tfjsContender(
  backend: TfBackend,
  w: Workloads,
  load: () => Promise<Tf> = () => import("@tensorflow/tfjs"),
): Promise<Contender | null> {
  let tf: Tf;
  try {
    tf = await load();
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  } catch {
    return null;
  }
  if (!(await tf.setBackend(backend))) return null;
  await tf.ready();
  const build: { simd?: boolean; wasmThreads?: boolean } = backend === "wasm" ? await wasmBuild(tf) : {};
  const settings: PeerSettings = {
    version: `tfjs-backend-${backend} ${tf.version.tfjs}`,
    threads: 1,
    processor: cpus()[0]?.model.trim() ?? "unknown",
    env: {},
    overrides: "shell",
    ...build,
  };
  let current: TfTask | null = null;
  return {
    family: `tfjs-backend-${backend}`,
    label: `${settings.version}, 1 thread${backend === "wasm" ? `, ${build.simd ? "SIMD" : "no SIMD"} build${build.wasmThreads ? ", threads build" : ""}` : ""}`,
    threads: 1,
    settings,
    tasks: ["supervised", "contrastive"],
    async load(task: Task) {
      current?.dispose();
      await tf.setBackend(backend);
      current = task === "supervised" ? supervised(tf, w.supervised) : contrastive(tf, w.contrastive!);
    },
    async time(kind, steps) {
      // The wasm and cpu peers share one tfjs: each takes its backend back before its turn.
      await tf.setBackend(backend);
      return timeSteps(steps, () => {
        for (let i = 0; i < steps; i++) current!.step(kind === "adversarial");
      });
    },
    async check(delta) {
      await tf.setBackend(backend);
      return current!.check(delta);
    },
    close() {
      current?.dispose();
      current = null;
    },
  };
}

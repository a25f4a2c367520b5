// Peer: the same training step in TensorFlow.js 4.22 with the wasm (XNNPACK, SIMD) or cpu backend,
// written as a tfjs user would: tf.grad for the attack, an Adam optimiser. The @tensorflow/tfjs
// bundle, not tfjs-core alone, because only the bundle registers the gradients in Node. Loaded on
// demand: tfjs is a dev dependency, so an installed featpure skips this peer.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Scalar, Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import { EPS, LR, type Workload } from "../workload.js";

export type TfBackend = "wasm" | "cpu";

export async function tfjsStep(w: Workload, backend: TfBackend): Promise<{ clean: () => void; adversarial: () => void; threads: number } | null> {
  let tf: typeof import("@tensorflow/tfjs");
  try {
    tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  } catch {
    return null;
  }
  if (!(await tf.setBackend(backend))) return null;
  await tf.ready();
  const { d, m, B, pgd } = w.shape;
  // W is kept as (d, m): tfjs-wasm runs A·B far faster than A·Bᵀ.
  const Wt = tf.variable(tf.transpose(tf.tensor2d(w.W, [m, d])));
  const thr = tf.variable(tf.tensor1d(w.thr));
  const A = tf.variable(tf.tensor2d(w.A, [m, 1]));
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  const net = (x: Tensor2D) => {
    const p = tf.matMul(x, Wt);
    const h = tf.sub(tf.relu(tf.sub(p, thr)), tf.relu(tf.sub(tf.neg(p), thr)));
    return tf.reshape(tf.matMul(h, A), [B]);
  };
  let label: Tensor1D;
  // The attack objective -y·f(x), as featpure's (its gradient has the logistic loss's direction).
  const gradX = tf.grad((x: Tensor) => tf.sum(tf.mul(tf.neg(label), net(x as Tensor2D)))) as (x: Tensor) => Tensor2D;
  const xs = w.xs.map((x) => tf.keep(tf.tensor2d(x, [B, d])));
  const ys = w.ys.map((y) => tf.keep(tf.tensor1d(y)));
  const alpha = (2.5 * EPS) / pgd;
  let batch = 0;
  const rowNorm = (t: Tensor2D) => tf.sqrt(tf.sum(tf.square(t), 1, true));
  const attack = (x: Tensor2D, y: Tensor1D) => {
    const g0 = tf.randomNormal([B, d]) as Tensor2D;
    let delta = tf.mul(tf.div(g0, rowNorm(g0)), tf.mul(EPS, tf.pow(tf.randomUniform([B, 1]), 1 / d))) as Tensor2D;
    for (let s = 0; s < pgd; s++) {
      label = y;
      const g = gradX(tf.add(x, delta));
      delta = tf.add(delta, tf.mul(alpha, tf.div(g, tf.maximum(rowNorm(g), 1e-12))));
      delta = tf.mul(delta, tf.minimum(1, tf.div(EPS, tf.maximum(rowNorm(delta), 1e-12))));
    }
    return tf.add(x, delta) as Tensor2D;
  };
  const train = (x: Tensor2D, y: Tensor1D) => {
    opt.minimize(() => tf.mean(tf.softplus(tf.neg(tf.mul(y, net(x))))) as Scalar, false, [Wt, thr, A]);
    thr.assign(tf.relu(thr));
  };
  const step = (adversarial: boolean) => {
    const i = batch++ % xs.length;
    tf.tidy(() => train(adversarial ? attack(xs[i], ys[i]) : xs[i], ys[i]));
    // Block until the backend has finished the step.
    Wt.dataSync();
  };
  return { clean: () => step(false), adversarial: () => step(true), threads: 1 };
}

// Peer: the same training step in plain JavaScript on Float32Arrays, loops written the way a
// careful user would (row-major, innermost loop contiguous), no WASM.
import { EPS, LR, type Workload } from "../workload.js";
import { Rng } from "../../src/rng.js";
import type { CheckResult } from "./torch.js";

export function jsStep(w: Workload): { clean: () => void; adversarial: () => void; check: (delta: Float32Array) => CheckResult } {
  const { d, m, B, pgd } = w.shape;
  const W = w.W.slice(),
    thr = w.thr.slice(),
    A = w.A.slice();
  const params = [W, thr, A];
  const grads = params.map((p) => new Float32Array(p.length));
  const mom = params.map((p) => new Float32Array(p.length)),
    vel = params.map((p) => new Float32Array(p.length));
  const pre = new Float32Array(B * m),
    h = new Float32Array(B * m),
    dpre = new Float32Array(B * m);
  const f = new Float32Array(B),
    df = new Float32Array(B),
    dx = new Float32Array(B * d);
  const delta = new Float32Array(B * d),
    xadv = new Float32Array(B * d);
  const rng = new Rng("js-peer");
  let t = 0,
    batch = 0;

  function forward(x: Float32Array) {
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let j = 0; j < m; j++) {
        let p = 0;
        for (let i = 0; i < d; i++) p += x[b * d + i] * W[j * d + i];
        pre[b * m + j] = p;
        const v = Math.max(p - thr[j], 0) + Math.min(p + thr[j], 0);
        h[b * m + j] = v;
        s += A[j] * v;
      }
      f[b] = s;
    }
  }
  // From df: dpre, and dx (when wanted) and the parameter gradients (when wanted).
  function backward(x: Float32Array, wantDx: boolean, wantParams: boolean) {
    const [gW, gthr, gA] = grads;
    if (wantDx) dx.fill(0);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < m; j++) {
        const p = pre[b * m + j],
          active = p > thr[j] || p < -thr[j];
        const g = active ? df[b] * A[j] : 0;
        dpre[b * m + j] = g;
        if (wantParams) {
          gA[j] += df[b] * h[b * m + j];
          if (g !== 0) gthr[j] += p > 0 ? -g : g;
        }
        if (g === 0) continue;
        if (wantDx) for (let i = 0; i < d; i++) dx[b * d + i] += g * W[j * d + i];
        if (wantParams) for (let i = 0; i < d; i++) gW[j * d + i] += g * x[b * d + i];
      }
    }
  }
  // From the given start, or a random one.
  function attack(x: Float32Array, y: Float32Array, start?: Float32Array) {
    const alpha = (2.5 * EPS) / pgd;
    if (start) delta.set(start);
    else
      for (let b = 0; b < B; b++) {
        let n = 0;
        for (let i = 0; i < d; i++) {
          const v = rng.normal();
          delta[b * d + i] = v;
          n += v * v;
        }
        const s = (EPS * Math.pow(rng.uniform(), 1 / d)) / Math.sqrt(n);
        for (let i = 0; i < d; i++) delta[b * d + i] *= s;
      }
    for (let s = 0; s < pgd; s++) {
      for (let i = 0; i < B * d; i++) xadv[i] = x[i] + delta[i];
      forward(xadv);
      for (let b = 0; b < B; b++) df[b] = -y[b];
      backward(xadv, true, false);
      for (let b = 0; b < B; b++) {
        let gn = 0,
          dn = 0;
        for (let i = 0; i < d; i++) gn += dx[b * d + i] ** 2;
        const k = gn > 0 ? alpha / Math.sqrt(gn) : 0;
        for (let i = 0; i < d; i++) {
          delta[b * d + i] += k * dx[b * d + i];
          dn += delta[b * d + i] ** 2;
        }
        if (dn > EPS * EPS) {
          const r = EPS / Math.sqrt(dn);
          for (let i = 0; i < d; i++) delta[b * d + i] *= r;
        }
      }
    }
    for (let i = 0; i < B * d; i++) xadv[i] = x[i] + delta[i];
  }
  // The mean logistic loss; its parameter gradients into grads.
  function gradients(x: Float32Array, y: Float32Array): number {
    for (const g of grads) g.fill(0);
    forward(x);
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const z = y[b] * f[b];
      loss += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
      df[b] = -y[b] / (1 + Math.exp(z)) / B;
    }
    backward(x, false, true);
    return loss / B;
  }
  function train(x: Float32Array, y: Float32Array) {
    gradients(x, y);
    t++;
    const c1 = 1 - 0.9 ** t,
      c2 = 1 - 0.999 ** t;
    params.forEach((p, k) => {
      const g = grads[k],
        mk = mom[k],
        vk = vel[k];
      for (let i = 0; i < p.length; i++) {
        mk[i] = 0.9 * mk[i] + 0.1 * g[i];
        vk[i] = 0.999 * vk[i] + 0.001 * g[i] * g[i];
        p[i] -= (LR * (mk[i] / c1)) / (Math.sqrt(vk[i] / c2) + 1e-8);
      }
    });
    for (let j = 0; j < m; j++) thr[j] = Math.max(thr[j], 0);
  }
  const next = () => {
    const i = batch++ % w.xs.length;
    return [w.xs[i], w.ys[i]] as const;
  };
  return {
    clean() {
      const [x, y] = next();
      train(x, y);
    },
    adversarial() {
      const [x, y] = next();
      attack(x, y);
      train(xadv, y);
    },
    check(start) {
      const trained = params.map((p) => p.slice());
      [w.W, w.thr, w.A].forEach((p, k) => params[k].set(p));
      const at = (x: Float32Array) => ({
        loss: gradients(x, w.ys[0]),
        grads: { W: Array.from(grads[0]), thr: Array.from(grads[1]), A: Array.from(grads[2]) },
      });
      const clean = at(w.xs[0]);
      attack(w.xs[0], w.ys[0], start);
      const out = { clean, adversarial: at(xadv) };
      trained.forEach((p, k) => params[k].set(p));
      return out;
    },
  };
}

// Whole PGD attacks on a batch in one call: gradient, ascent step and projection repeat inside WASM.
// The attack objective is the margin loss -y*f(x+delta) (binary head, C = 1): it has the direction
// of the logistic loss gradient but never vanishes through a saturated sigmoid.
import { Net, Work, netForward, netBackward } from "./net";

export const L2 = 0;
export const LINF = 1;

// xadv = x + delta, clamped to the box [lo, hi] when lo < hi; delta then follows the clamp.
// x, delta, xadv are (n = B*d)
function perturb(xadv: usize, x: usize, delta: usize, n: i32, lo: f32, hi: f32): void {
  const box = lo < hi;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const xi = load<f32>(x + off);
    let v = xi + load<f32>(delta + off);
    if (box) {
      v = min(max(v, lo), hi);
      store<f32>(delta + off, v - xi);
    }
    store<f32>(xadv + off, v);
  }
}

// One ascent step on each row of delta along g, then projection onto the eps-ball of the norm.
// delta, g are (B,d)
function ascend(delta: usize, g: usize, B: i32, d: i32, norm: i32, eps: f32, alpha: f32): void {
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>d << 2;
    if (norm == L2) {
      let gn: f64 = 0;
      for (let i = 0; i < d; i++) { const v = <f64>load<f32>(g + row + (<usize>i << 2)); gn += v * v; }
      if (gn > 0) {
        const s = <f32>(<f64>alpha / Math.sqrt(gn));
        for (let i = 0; i < d; i++) {
          const off = row + (<usize>i << 2);
          store<f32>(delta + off, load<f32>(delta + off) + s * load<f32>(g + off));
        }
      }
      let dn: f64 = 0;
      for (let i = 0; i < d; i++) { const v = <f64>load<f32>(delta + row + (<usize>i << 2)); dn += v * v; }
      if (dn > <f64>eps * <f64>eps) {
        const s = <f32>(<f64>eps / Math.sqrt(dn));
        for (let i = 0; i < d; i++) {
          const off = row + (<usize>i << 2);
          store<f32>(delta + off, load<f32>(delta + off) * s);
        }
      }
    } else {
      for (let i = 0; i < d; i++) {
        const off = row + (<usize>i << 2);
        const gi = load<f32>(g + off);
        const step: f32 = gi > 0 ? alpha : gi < 0 ? -alpha : 0;
        store<f32>(delta + off, min(max(load<f32>(delta + off) + step, -eps), eps));
      }
    }
  }
}

// dlogits = d(-y*f)/d logits for the binary head
function marginObjective(dlogits: usize, y: usize, B: i32): void {
  for (let b = 0; b < B; b++) store<f32>(dlogits + (<usize>b << 2), -load<f32>(y + (<usize>b << 2)));
}

// One gradient of the attack objective with respect to the input at xadv, left in work.dx.
function inputGradient(netPtr: usize, workPtr: usize, xadv: usize, y: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  marginObjective(w.dlogits, y, B);
  memory.fill(w.dx, 0, <usize>B * <usize>n.d << 2);
  netBackward(netPtr, 0, workPtr, xadv, w.dx, B, deadSlope);
}

// Training attack. x, delta, xadv are (B,d), y is (B). delta holds the start (random or zero) on
// entry and the final perturbation on exit; xadv = x + delta. FGM/FGSM is steps = 1, alpha = eps.
export function pgdAttack(netPtr: usize, workPtr: usize, x: usize, y: usize, delta: usize, xadv: usize, B: i32,
                          norm: i32, eps: f32, alpha: f32, steps: i32, deadSlope: f32, lo: f32, hi: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const len = B * n.d;
  for (let s = 0; s < steps; s++) {
    perturb(xadv, x, delta, len, lo, hi);
    netForward(netPtr, workPtr, xadv, B);
    inputGradient(netPtr, workPtr, xadv, y, B, deadSlope);
    ascend(delta, w.dx, B, n.d, norm, eps, alpha);
  }
  perturb(xadv, x, delta, len, lo, hi);
}

// Evaluation attack: as pgdAttack, but every iterate (the start and each step) is scored with the
// true forward pass, and per sample the perturbation with the lowest margin y*f is kept in
// best (B,d) with its margin in bestMargin (B). The caller initialises bestMargin (to +inf, or to
// the result of an earlier restart), so restarts compose. Returns the number of samples whose best
// margin is still positive, i.e. the robust count over all restarts so far.
export function pgdEval(netPtr: usize, workPtr: usize, x: usize, y: usize, delta: usize, xadv: usize,
                        best: usize, bestMargin: usize, B: i32, norm: i32, eps: f32, alpha: f32, steps: i32,
                        deadSlope: f32, lo: f32, hi: f32): i32 {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const d = n.d;
  const len = B * d;
  const rowBytes = <usize>d << 2;
  for (let s = 0; s <= steps; s++) {
    perturb(xadv, x, delta, len, lo, hi);
    netForward(netPtr, workPtr, xadv, B);
    for (let b = 0; b < B; b++) {
      const off = <usize>b << 2;
      const margin = load<f32>(y + off) * load<f32>(w.logits + off);
      if (margin < load<f32>(bestMargin + off)) {
        store<f32>(bestMargin + off, margin);
        memory.copy(best + <usize>b * rowBytes, delta + <usize>b * rowBytes, rowBytes);
      }
    }
    if (s == steps) break;
    inputGradient(netPtr, workPtr, xadv, y, B, deadSlope);
    ascend(delta, w.dx, B, d, norm, eps, alpha);
  }
  let robust = 0;
  for (let b = 0; b < B; b++) if (load<f32>(bestMargin + (<usize>b << 2)) > 0) robust++;
  return robust;
}

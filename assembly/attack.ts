// Whole PGD attacks on a batch in one call: gradient, ascent step and projection repeat inside WASM.
// The attack objective is the margin loss -y*f(x+delta) (binary head, C = 1): it has the direction
// of the logistic loss gradient but never vanishes through a saturated sigmoid.
import { Net, Work, netForward, netForwardFromPre, netBackward } from "./net";
import { accumulateRows } from "./linear";
import { Norm } from "./contract";

// xadv = x + delta, clamped to the box [lo, hi] when lo < hi; delta then follows the clamp, and only
// where the clamp acted: fl(hi - x) <= delta when hi - x < delta, so a delta inside the ball stays
// there, whereas recomputing (x + delta) - x everywhere could round a boundary delta past eps.
// x, delta, xadv are (n = B*d)
export function perturb(xadv: usize, x: usize, delta: usize, n: i32, lo: f32, hi: f32): void {
  const box = lo < hi;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const xi = v128.load(x + off);
      const di = v128.load(delta + off);
      let v = f32x4.add(xi, di);
      if (box) {
        const c = f32x4.min(f32x4.max(v, vlo), vhi);
        v128.store(delta + off, v128.bitselect(di, f32x4.sub(c, xi), f32x4.eq(c, v)));
        v = c;
      }
      v128.store(xadv + off, v);
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const xi = load<f32>(x + off);
    let v = xi + load<f32>(delta + off);
    if (box && (v < lo || v > hi)) {
      v = min(max(v, lo), hi);
      store<f32>(delta + off, v - xi);
    }
    store<f32>(xadv + off, v);
  }
}

// sum of squares of a[0..n)
export function sumSquares(a: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(a + (<usize>i << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) { const v = load<f32>(a + (<usize>i << 2)); s += v * v; }
  return s;
}

// y[0..n) = a * y[0..n) + b * x[0..n)
function scaleAdd(y: usize, a: f32, x: usize, b: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vb = f32x4.splat(b);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(y + off, f32x4.add(f32x4.mul(va, v128.load(y + off)), f32x4.mul(vb, v128.load(x + off))));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, a * load<f32>(y + off) + b * load<f32>(x + off));
  }
}

// delta[0..n) = clamp(delta + alpha * sign(g), -eps, eps)
function signStep(delta: usize, g: usize, n: i32, eps: f32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha), ve = f32x4.splat(eps), zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const gi = v128.load(g + off);
      const step = f32x4.sub(v128.and(va, f32x4.gt(gi, zero)), v128.and(va, f32x4.lt(gi, zero)));
      v128.store(delta + off, f32x4.min(f32x4.max(f32x4.add(v128.load(delta + off), step), f32x4.neg(ve)), ve));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const step: f32 = gi > 0 ? alpha : gi < 0 ? -alpha : 0;
    store<f32>(delta + off, min(max(load<f32>(delta + off) + step, -eps), eps));
  }
}

// One ascent step on each row of delta along g, then projection onto the eps-ball of the norm:
// l2 takes a step of length alpha along g/||g|| and rescales into the ball, linf a sign step and a clip.
// delta, g are (B,d)
export function ascend(delta: usize, g: usize, B: i32, d: i32, norm: i32, eps: f32, alpha: f32): void {
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>d << 2;
    if (norm == Norm.linf) {
      signStep(delta + row, g + row, d, eps, alpha);
      continue;
    }
    const gn = sumSquares(g + row, d);
    if (gn > 0) scaleAdd(delta + row, 1, g + row, alpha / Mathf.sqrt(gn), d);
    const dn = sumSquares(delta + row, d);
    if (dn > eps * eps) scaleAdd(delta + row, eps / Mathf.sqrt(dn), g + row, 0, d);
  }
}

// dlogits = d(-y*f)/d logits for the binary head. With a bestMargin buffer (non-zero pointer),
// samples already misclassified get a zero gradient: their verdict is settled, and zero rows are
// skipped by the backward kernels.
function marginObjective(dlogits: usize, y: usize, bestMargin: usize, B: i32): void {
  for (let b = 0; b < B; b++) {
    const off = <usize>b << 2;
    const settled = bestMargin != 0 && load<f32>(bestMargin + off) <= 0;
    store<f32>(dlogits + off, settled ? 0 : -load<f32>(y + off));
  }
}

// One gradient of the attack objective with respect to the input at xadv, left in work.dx.
function inputGradient(netPtr: usize, workPtr: usize, xadv: usize, y: usize, bestMargin: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  marginObjective(w.dlogits, y, bestMargin, B);
  memory.fill(w.dx, 0, <usize>B * <usize>n.d << 2);
  netBackward(netPtr, 0, workPtr, xadv, w.dx, B, deadSlope);
}

// Every this many iterates an incremental attack recomputes its pre-activations in full, which
// bounds the rounding that the updates in between accumulate.
const FULL_FORWARD_EVERY = 8;

// xprev[0..n) = xadv - xprev
function changeInPlace(xprev: usize, xadv: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(xprev + off, f32x4.sub(v128.load(xadv + off), v128.load(xprev + off)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(xprev + off, load<f32>(xadv + off) - load<f32>(xprev + off));
  }
}

// The forward pass at attack iterate s, xadv (B,d). With wt = 0, a plain forward. With wt = Wᵀ
// (d,m), xprev (B,d) keeps the iterate whose pre-activations work.pre holds, and between full
// passes (FULL_FORWARD_EVERY) pre += (xadv - xprev) · Wᵀ. accumulateRows skips the inputs that did
// not change, as in l-inf steps once coordinates sit on the faces of the ball, and takes its dense
// tiles where most did (every l2 step), which cost about what the forward product does. Updates
// agree with a recomputation to f32 rounding, not bit for bit; the choice depends on s alone, and
// accumulateRows gives the same bits on either of its paths, so any split of the batch across
// threads gives the same results.
function iterateForward(netPtr: usize, workPtr: usize, xadv: usize, xprev: usize, wt: usize, B: i32, s: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const len = B * n.d;
  if (wt && s % FULL_FORWARD_EVERY != 0) {
    changeInPlace(xprev, xadv, len);
    accumulateRows(w.pre, <usize>n.m << 2, xprev, <usize>n.d << 2, 4, wt, <usize>n.m << 2, B, n.d, n.m);
    netForwardFromPre(netPtr, workPtr, B);
  } else netForward(netPtr, workPtr, xadv, B);
  if (wt) memory.copy(xprev, xadv, <usize>len << 2);
}

// Training attack. x, delta, xadv are (B,d), y is (B). delta holds the start (random or zero) on
// entry and the final perturbation on exit; xadv = x + delta. FGM/FGSM is steps = 1, alpha = eps.
// xprev (B,d) and wt (d,m): scratch and Wᵀ for incremental forward passes (iterateForward); 0, 0: none.
export function pgdAttack(netPtr: usize, workPtr: usize, x: usize, y: usize, delta: usize, xadv: usize, xprev: usize, wt: usize, B: i32,
                          norm: i32, eps: f32, alpha: f32, steps: i32, deadSlope: f32, lo: f32, hi: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const len = B * n.d;
  for (let s = 0; s < steps; s++) {
    perturb(xadv, x, delta, len, lo, hi);
    iterateForward(netPtr, workPtr, xadv, xprev, wt, B, s);
    inputGradient(netPtr, workPtr, xadv, y, 0, B, deadSlope);
    ascend(delta, w.dx, B, n.d, norm, eps, alpha);
  }
  perturb(xadv, x, delta, len, lo, hi);
}

// Evaluation attack: as pgdAttack, but every iterate (the start and each step) is scored with the
// true forward pass, and per sample the perturbation with the lowest margin y*f is kept in
// best (B,d) with its margin in bestMargin (B). The caller initialises bestMargin (to +inf, or to
// the result of an earlier restart), so restarts compose. A sample stops moving once some iterate
// misclassifies it (its best perturbation is then a successful one). Returns the number of samples whose best
// margin is still positive, i.e. the robust count over all restarts so far. xprev, wt: as pgdAttack.
export function pgdEval(netPtr: usize, workPtr: usize, x: usize, y: usize, delta: usize, xadv: usize, xprev: usize, wt: usize,
                        best: usize, bestMargin: usize, B: i32, norm: i32, eps: f32, alpha: f32, steps: i32,
                        deadSlope: f32, lo: f32, hi: f32): i32 {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const d = n.d;
  const len = B * d;
  for (let s = 0; s <= steps; s++) {
    perturb(xadv, x, delta, len, lo, hi);
    iterateForward(netPtr, workPtr, xadv, xprev, wt, B, s);
    keepWorst(w.logits, y, delta, best, bestMargin, B, d);
    if (s == steps) break;
    inputGradient(netPtr, workPtr, xadv, y, bestMargin, B, deadSlope);
    ascend(delta, w.dx, B, d, norm, eps, alpha);
  }
  return robustCount(bestMargin, B);
}

// Per sample, the iterate delta (B,d) with logits (B) replaces best (B,d) and its margin bestMargin (B)
// when its margin y*f is lower.
export function keepWorst(logits: usize, y: usize, delta: usize, best: usize, bestMargin: usize, B: i32, d: i32): void {
  const rowBytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const off = <usize>b << 2;
    const margin = load<f32>(y + off) * load<f32>(logits + off);
    if (margin < load<f32>(bestMargin + off)) {
      store<f32>(bestMargin + off, margin);
      memory.copy(best + <usize>b * rowBytes, delta + <usize>b * rowBytes, rowBytes);
    }
  }
}

// Samples whose best margin (B) is still positive.
export function robustCount(bestMargin: usize, B: i32): i32 {
  let robust = 0;
  for (let b = 0; b < B; b++) if (load<f32>(bestMargin + (<usize>b << 2)) > 0) robust++;
  return robust;
}

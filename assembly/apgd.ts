// APGD, the auto-PGD of Croce & Hein (2020, "Reliable evaluation of adversarial robustness with an
// ensemble of diverse parameter-free attacks", ICML), whole on a batch in one call: per sample a step
// size that starts at 2 eps and halves at checkpoints where the loss stopped rising, a restart from the
// best point found at each halving, and momentum 0.75. Rows are independent, so any split of the batch
// across threads gives the same bits. The schedule follows the authors' implementation (auto-attack,
// autopgd_base.py) where it is more specific than the paper: the first checkpoint after 22 % of the
// steps, then intervals 3 % shorter down to 6 %; "too few rises" is rises <= 0.75 * interval; no
// "no improvement" halving at the first checkpoint. It differs in one place: the box clamp acts on the
// final iterate of a step only (as perturb does for PGD), not also on the intermediate point z.
import { Net, Work, netForward, netBackward } from "./net";
import { perturb, sumSquares, keepWorst, robustCount } from "./attack";
import { ApgdLoss, ApgdRowWord, Norm } from "./contract";

// Losses (ApgdLoss): the logistic (binary cross-entropy) loss log(1 + exp(-y f)), or the
// scale-invariant margin -y f / ||grad_x f||_q, the linearised distance to the decision boundary (q
// the dual norm: 2 for l2, 1 for l-inf). For one logit the DLR loss of the paper has no third logit
// to scale by; a plain margin -y f would give the very iterates of the cross-entropy run, since APGD
// sees the loss only through comparisons and a normalised gradient, both unchanged under an
// increasing map of y f.

// The per-row state: ApgdRowWord.count f32 words a row (the fields of ApgdRowWord).
const ETA = ApgdRowWord.eta, FBEST = ApgdRowWord.fBest, FCHECK = ApgdRowWord.fCheck, REDUCED = ApgdRowWord.reduced;
const FPREV = ApgdRowWord.fPrev, RISES = ApgdRowWord.rises, ROW_WORDS = ApgdRowWord.count;
const RHO: f32 = 0.75;
const MOMENTUM: f32 = 0.75;

// @ts-ignore: decorator
@inline function rowAt(p: usize, b: i32, words: i32): usize {
  return p + (<usize>b * <usize>words << 2);
}

// @ts-ignore: decorator
@inline function field(rows: usize, b: i32, f: i32): usize {
  return rows + ((<usize>b * ROW_WORDS + <usize>f) << 2);
}

// One APGD step on a row, delta (d), from its gradient g (d) and previous iterate prev (d):
// z = P(delta + eta * s(g)), delta' = P(delta + a (z - delta) + (1 - a)(delta - prev)), prev' = delta,
// with s(g) = sign(g) and P the clip for l-inf, s(g) = g / ||g|| and P the rescaling into the ball for l2.
function step(delta: usize, g: usize, prev: usize, d: i32, norm: i32, eps: f32, eta: f32, a: f32): void {
  const b: f32 = 1 - a;
  if (norm == Norm.linf) {
    for (let i = 0; i < d; i++) {
      const o = <usize>i << 2;
      const xi = load<f32>(delta + o), gi = load<f32>(g + o), pi = load<f32>(prev + o);
      const s: f32 = gi > 0 ? eta : gi < 0 ? -eta : 0;
      const z = min(max(xi + s, -eps), eps);
      store<f32>(prev + o, xi);
      store<f32>(delta + o, min(max(xi + a * (z - xi) + b * (xi - pi), -eps), eps));
    }
    return;
  }
  const gn = Mathf.sqrt(sumSquares(g, d));
  const gs: f32 = gn > 0 ? eta / gn : 0;
  let un: f32 = 0;
  for (let i = 0; i < d; i++) {
    const o = <usize>i << 2;
    const u = load<f32>(delta + o) + gs * load<f32>(g + o);
    un += u * u;
  }
  const s1: f32 = un > eps * eps ? eps / Mathf.sqrt(un) : 1;
  // v, the momentum combination, waits in prev, whose old value it was the last to need.
  let vn: f32 = 0;
  for (let i = 0; i < d; i++) {
    const o = <usize>i << 2;
    const xi = load<f32>(delta + o);
    const z = s1 * (xi + gs * load<f32>(g + o));
    const v = xi + a * (z - xi) + b * (xi - load<f32>(prev + o));
    store<f32>(prev + o, v);
    vn += v * v;
  }
  const s2: f32 = vn > eps * eps ? eps / Mathf.sqrt(vn) : 1;
  for (let i = 0; i < d; i++) {
    const o = <usize>i << 2;
    const xi = load<f32>(delta + o);
    store<f32>(delta + o, s2 * load<f32>(prev + o));
    store<f32>(prev + o, xi);
  }
}

// The direction APGD steps along, in work.dx, at the iterate whose forward pass work holds: the
// gradient of -y f for both losses. The logistic loss's gradient is the positive multiple
// y f -> 1 / (1 + exp(y f)) of it, and the scale-invariant margin's too (grad f is constant on the
// linear pieces of the network), and a step sees only the direction (normalised for l2, the signs for
// l-inf): the same iterates as the loss's own gradient, without the f32 underflow that stalls it where
// margins are large (at y f = 50 the squared norm of the logistic gradient is below f32's range).
// Rows already misclassified (best margin <= 0) get none: their verdict is settled.
function ascentDirection(netPtr: usize, workPtr: usize, xadv: usize, y: usize, bestMargin: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  for (let b = 0; b < B; b++) {
    const off = <usize>b << 2;
    store<f32>(w.dlogits + off, load<f32>(bestMargin + off) <= 0 ? 0 : -load<f32>(y + off));
  }
  memory.fill(w.dx, 0, <usize>B * <usize>n.d << 2);
  netBackward(netPtr, 0, workPtr, xadv, w.dx, B, deadSlope);
}

// The loss of row b at the iterate of work, after ascentDirection: its margin t = y f, and for the
// margin loss the dual norm of its gradient (q = 2 for l2, 1 for l-inf). A zero gradient makes the
// margin loss -inf: a point the attack cannot move from is the worst to restart at. In f32 the
// logistic loss is 0 from y f = 104 on, where its comparisons see ties: its blind spot, left as it is.
function lossOf(w: Work, y: usize, b: i32, d: i32, norm: i32, loss: i32): f32 {
  const off = <usize>b << 2;
  const t = load<f32>(y + off) * load<f32>(w.logits + off);
  if (loss == ApgdLoss.ce) return max(-t, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(t)));
  const g = rowAt(w.dx, b, d);
  let gn: f32 = 0;
  if (norm == Norm.linf) for (let i = 0; i < d; i++) gn += Mathf.abs(load<f32>(g + (<usize>i << 2)));
  else gn = Mathf.sqrt(sumSquares(g, d));
  return gn > 0 ? -t / gn : -Infinity;
}

// Evaluation attack, APGD with `steps` steps (no restarts: the caller composes them as for pgdEval).
// x, delta, xadv, best are (B,d); y, bestMargin are (B); aux is (B,3d): per row the previous iterate,
// the iterate of highest loss and its gradient; rows is (B,ApgdRowWord.count). delta holds the start on entry.
// As pgdEval, every iterate is scored with the true forward pass and per sample the lowest margin y*f
// is kept in bestMargin (initialised by the caller) with its perturbation in best; a sample stops once
// misclassified. loss: an ApgdLoss; deadSlope as for netBackward. Returns the samples still robust.
export function apgdEval(netPtr: usize, workPtr: usize, x: usize, y: usize, delta: usize, xadv: usize, best: usize, bestMargin: usize,
                         aux: usize, rows: usize, B: i32, norm: i32, loss: i32, eps: f32, steps: i32, deadSlope: f32, lo: f32, hi: f32): i32 {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const d = n.d;
  const len = B * d;
  const rowBytes = <usize>d << 2;
  perturb(xadv, x, delta, len, lo, hi);
  netForward(netPtr, workPtr, xadv, B);
  keepWorst(w.logits, y, delta, best, bestMargin, B, d);
  if (steps == 0) return robustCount(bestMargin, B);
  ascentDirection(netPtr, workPtr, xadv, y, bestMargin, B, deadSlope);
  for (let b = 0; b < B; b++) {
    const f = lossOf(w, y, b, d, norm, loss);
    const a = rowAt(aux, b, 3 * d);
    memory.copy(a, rowAt(delta, b, d), rowBytes);
    memory.copy(a + rowBytes, rowAt(delta, b, d), rowBytes);
    memory.copy(a + 2 * rowBytes, rowAt(w.dx, b, d), rowBytes);
    store<f32>(field(rows, b, ETA), 2 * eps);
    store<f32>(field(rows, b, FBEST), f);
    store<f32>(field(rows, b, FCHECK), f);
    store<f32>(field(rows, b, REDUCED), 1);
    store<f32>(field(rows, b, FPREV), f);
    store<f32>(field(rows, b, RISES), 0);
  }
  // Checkpoints: the first after 22 % of the steps, each interval 3 % shorter than the last, at least 6 %.
  let interval = max(<i32>(0.22 * <f64>steps), 1);
  const shortest = max(<i32>(0.06 * <f64>steps), 1), shorten = max(<i32>(0.03 * <f64>steps), 1);
  let since = 0;
  for (let s = 0; s < steps; s++) {
    const a: f32 = s == 0 ? 1 : MOMENTUM;
    for (let b = 0; b < B; b++) {
      if (load<f32>(bestMargin + (<usize>b << 2)) <= 0) continue;
      step(rowAt(delta, b, d), rowAt(w.dx, b, d), rowAt(aux, b, 3 * d), d, norm, eps, load<f32>(field(rows, b, ETA)), a);
    }
    perturb(xadv, x, delta, len, lo, hi);
    netForward(netPtr, workPtr, xadv, B);
    keepWorst(w.logits, y, delta, best, bestMargin, B, d);
    if (s == steps - 1) break;
    ascentDirection(netPtr, workPtr, xadv, y, bestMargin, B, deadSlope);
    for (let b = 0; b < B; b++) {
      if (load<f32>(bestMargin + (<usize>b << 2)) <= 0) continue;
      const f = lossOf(w, y, b, d, norm, loss);
      if (f > load<f32>(field(rows, b, FPREV))) store<f32>(field(rows, b, RISES), load<f32>(field(rows, b, RISES)) + 1);
      store<f32>(field(rows, b, FPREV), f);
      if (f > load<f32>(field(rows, b, FBEST))) {
        store<f32>(field(rows, b, FBEST), f);
        const a = rowAt(aux, b, 3 * d);
        memory.copy(a + rowBytes, rowAt(delta, b, d), rowBytes);
        memory.copy(a + 2 * rowBytes, rowAt(w.dx, b, d), rowBytes);
      }
    }
    if (++since < interval) continue;
    // Halve the step where too few steps raised the loss, or where the last checkpoint did not halve
    // it and the best loss has not risen since; those rows go back to their best point and its gradient.
    for (let b = 0; b < B; b++) {
      if (load<f32>(bestMargin + (<usize>b << 2)) <= 0) continue;
      const fBest = load<f32>(field(rows, b, FBEST));
      const halve = load<f32>(field(rows, b, RISES)) <= RHO * <f32>interval
        || (load<f32>(field(rows, b, REDUCED)) == 0 && load<f32>(field(rows, b, FCHECK)) >= fBest);
      store<f32>(field(rows, b, REDUCED), halve ? 1 : 0);
      store<f32>(field(rows, b, FCHECK), fBest);
      store<f32>(field(rows, b, RISES), 0);
      if (!halve) continue;
      store<f32>(field(rows, b, ETA), 0.5 * load<f32>(field(rows, b, ETA)));
      const a = rowAt(aux, b, 3 * d);
      memory.copy(rowAt(delta, b, d), a + rowBytes, rowBytes);
      memory.copy(rowAt(w.dx, b, d), a + 2 * rowBytes, rowBytes);
    }
    interval = max(interval - shorten, shortest);
    since = 0;
  }
  return robustCount(bestMargin, B);
}

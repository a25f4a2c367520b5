// Binary logistic loss on margins y*f with labels y in {-1,+1}.

// log(1 + exp(-t)) without overflow for large |t|
// @ts-ignore: decorator
@inline function softplusNeg(t: f64): f64 {
  return t > 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
}

// logits, y are (B); returns the mean loss
export function logisticForward(logits: usize, y: usize, B: i32): f32 {
  let s: f64 = 0;
  for (let b = 0; b < B; b++) {
    const off = <usize>b << 2;
    s += softplusNeg(<f64>load<f32>(y + off) * <f64>load<f32>(logits + off));
  }
  return <f32>(s / <f64>B);
}

// dlogits, logits, y are (B); accumulates scale * d loss_b / d logit_b = -scale * y * sigmoid(-y f)
export function logisticBackward(dlogits: usize, logits: usize, y: usize, B: i32, scale: f32): void {
  for (let b = 0; b < B; b++) {
    const off = <usize>b << 2;
    const yb = <f64>load<f32>(y + off);
    const t = yb * <f64>load<f32>(logits + off);
    const sig = t > 0 ? Math.exp(-t) / (1 + Math.exp(-t)) : 1 / (1 + Math.exp(t));
    store<f32>(dlogits + off, load<f32>(dlogits + off) - <f32>(<f64>scale * yb * sig));
  }
}

// number of samples with y * logit > 0
export function countCorrect(logits: usize, y: usize, B: i32): i32 {
  let n = 0;
  for (let b = 0; b < B; b++) {
    const off = <usize>b << 2;
    if (load<f32>(y + off) * load<f32>(logits + off) > 0) n++;
  }
  return n;
}

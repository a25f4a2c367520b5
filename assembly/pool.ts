// Row-parallel work posted from inside a kernel: the contrastive objectives run their whole attack
// in one call, so their products and softmax rows cannot be split by the TypeScript pool
// (src/engine/threads.ts) between calls. The main thread's instance posts a job on the pool's own
// control block, as threads.ts does, takes the first rows itself and spins until every worker has
// acknowledged the job. Only that instance has a pool (setPool); in the workers' instances, and in
// builds without threads, the work runs on the calling thread. Nothing here may run inside a job of
// the TypeScript pool: the contrastive kernels never do (they are not among the jobs TypeScript posts).
// Jobs, the control block and the split rules are those of assembly/contract.ts; the row kernels
// the jobs run sit below this file.
import { matmulForward, matmulBackward, accumulateRows, gramRows, gramMirrorRows } from "./linear";
import { ntxentRows, symmetrizeRows } from "./ntxentRows";
import { Ctrl, Job, MAX_ARGS, MIN_ITEMS_PER_THREAD, Split, jobSplit } from "./contract";

let ctrl: usize = 0;
let args: usize = 0;
let acks: usize = 0;
let threads = 1;
let jobs = 0;
const SLOT_BYTES: usize = <usize>MAX_ARGS << 3;

// Hands the main thread's instance the pool, for the products it splits itself: control block,
// argument slots (MAX_ARGS f64 per thread) and acknowledgements (i32 per thread) as startPool laid
// them out, and the number of threads.
export function setPool(ctrlPtr: usize, argsPtr: usize, acksPtr: usize, n: i32): void {
  ctrl = ctrlPtr;
  args = argsPtr;
  acks = acksPtr;
  threads = n;
}

// Jobs this instance has posted to the pool: how often the contrastive products were split.
export function poolJobs(): i32 {
  return jobs;
}

// Threads worth using on n rows.
function threadsFor(n: i32): i32 {
  return ASC_FEATURE_THREADS ? min(threads, n / MIN_ITEMS_PER_THREAD) : 1;
}

// Argument i of worker k's job.
// @ts-ignore: decorator
@inline function arg(k: i32, i: i32, v: f64): void {
  store<f64>(args + <usize>k * SLOT_BYTES + (<usize>i << 3), v);
}

// Worker k's arguments in order; the job's argc (post) says how many it reads.
function setArgs(k: i32, a0: f64, a1: f64, a2: f64, a3: f64, a4: f64 = 0, a5: f64 = 0, a6: f64 = 0, a7: f64 = 0, a8: f64 = 0, a9: f64 = 0): void {
  arg(k, 0, a0); arg(k, 1, a1); arg(k, 2, a2); arg(k, 3, a3); arg(k, 4, a4);
  arg(k, 5, a5); arg(k, 6, a6); arg(k, 7, a7); arg(k, 8, a8); arg(k, 9, a9);
}

// Starts job `job` on the workers, whose arguments are in their slots (a first argument of -1: no
// share), and returns its seq, which each worker acknowledges when done.
function post(job: Job, argc: i32): i32 {
  if (!ASC_FEATURE_THREADS) return 0; // unreachable: threadsFor is 1
  jobs++;
  atomic.store<i32>(ctrl + Ctrl.failed * 4, 0);
  atomic.store<i32>(ctrl + Ctrl.kernel * 4, job);
  atomic.store<i32>(ctrl + Ctrl.argc * 4, argc);
  const seq = atomic.add<i32>(ctrl + Ctrl.seq * 4, 1) + 1;
  atomic.notify(ctrl + Ctrl.seq * 4, threads - 1);
  return seq;
}

// Waits until every worker has acknowledged job `seq`. Their shares are as long as the caller's
// own: done soon after it, not worth a sleep.
function join(seq: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  for (let k = 1; k < threads; k++) while (atomic.load<i32>(acks + (<usize>k << 2)) != seq) {}
  if (atomic.load<i32>(ctrl + Ctrl.failed * 4)) abort();
}

// Rows per thread when n rows go to t threads: a multiple of 4, the row tile of the products, so
// that every row is computed as in a whole call.
function rowsPer(n: i32, t: i32): i32 {
  return ((n + t - 1) / t + 3) & ~3;
}

// First of worker k's rows when n rows go `per` to a thread, or -1 (the worker told to skip) when none is left.
function shareStart(k: i32, per: i32, n: i32): i32 {
  const r0 = k * per;
  if (r0 < n) return r0;
  arg(k, 0, -1);
  return -1;
}

// matmulForward (out (B,OC) = inp (B,C) · weightᵀ + bias) split by rows across the pool,
// bit-identical to one call.
export function parallelMatmulForward(out: usize, inp: usize, weight: usize, bias: usize, B: i32, C: i32, OC: i32): void {
  const t = threadsFor(B);
  if (t < 2) {
    matmulForward(out, inp, weight, bias, B, C, OC);
    return;
  }
  const per = rowsPer(B, t);
  for (let k = 1; k < threads; k++) {
    const b0 = shareStart(k, per, B);
    if (b0 < 0) continue;
    setArgs(k, out + <usize>b0 * <usize>OC * 4, inp + <usize>b0 * <usize>C * 4, weight, bias, min(B, b0 + per) - b0, C, OC);
  }
  const seq = post(Job.matmulForward, 7);
  matmulForward(out, inp, weight, bias, min(B, per), C, OC);
  join(seq);
}

// dweight (OC,C) += doutᵀ (OC,B) · inp (B,C), matmulBackward's weight gradient alone, split by
// rows of dweight (units): each thread sums over the whole batch in the same order, and its rows
// start at a multiple of 4, the dense tile's group, so the bits are those of one call.
export function parallelWeightGradient(dweight: usize, dout: usize, inp: usize, B: i32, C: i32, OC: i32): void {
  const t = threadsFor(OC);
  const rs = <usize>C * 4, os = <usize>OC * 4;
  if (t < 2) {
    matmulBackward(0, dweight, 0, dout, inp, 0, B, C, OC);
    return;
  }
  const per = rowsPer(OC, t);
  for (let k = 1; k < threads; k++) {
    const j0 = shareStart(k, per, OC);
    if (j0 < 0) continue;
    setArgs(k, dweight + <usize>j0 * rs, rs, dout + (<usize>j0 << 2), 4, os, inp, rs, min(OC, j0 + per) - j0, B, C);
  }
  const seq = post(Job.accumulateRows, 10);
  accumulateRows(dweight, rs, dout, 4, os, inp, rs, min(OC, per), B, C);
  join(seq);
}

// dinp (B,C) += dout (B,OC) · weight (OC,C), matmulBackward's input gradient alone, split by rows.
export function parallelInputGradient(dinp: usize, dout: usize, weight: usize, B: i32, C: i32, OC: i32): void {
  const t = threadsFor(B);
  if (t < 2) {
    matmulBackward(dinp, 0, 0, dout, 0, weight, B, C, OC);
    return;
  }
  const per = rowsPer(B, t);
  for (let k = 1; k < threads; k++) {
    const b0 = shareStart(k, per, B);
    if (b0 < 0) continue;
    setArgs(k, dinp + <usize>b0 * <usize>C * 4, 0, 0, dout + <usize>b0 * <usize>OC * 4, 0, weight, min(B, b0 + per) - b0, C, OC);
  }
  const seq = post(Job.matmulBackward, 9);
  matmulBackward(dinp, 0, 0, dout, 0, weight, min(B, per), C, OC);
  join(seq);
}

// out (N,N) = z zᵀ for z (N,m): half the products of matmulForward(out, z, z, 0, N, m, N), the same
// bits. Row ranges split the pool's threads at multiples of 16 with about equal shares of the
// triangle (gramTop); then the mirror, split the same way.
export function gramForward(out: usize, z: usize, N: i32, m: i32): void {
  gramTop(out, z, N, m, N);
  parallelGramMirror(out, N);
}

// End of share k of t over rows [0, n), a multiple of 16 (whole tiles of the mirror and of the
// symmetrisation, whole 4-row blocks of the Gram product), where the work of rows before it is about
// (k+1)/t of the whole: row i costs about i (rising: the mirror) or N - i (the Gram product, the
// symmetrisation).
function triangleCut(k: i32, t: i32, n: i32, N: i32, rising: bool): i32 {
  if (k >= t - 1) return n;
  const f = <f64>(k + 1) / <f64>t;
  let r = <f64>n * Math.sqrt(f);
  if (!rising) r = <f64>N - Math.sqrt(<f64>N * <f64>N - f * (2 * <f64>N * <f64>n - <f64>n * <f64>n));
  return min(n, (<i32>(r + 8) >> 4) << 4);
}

// Rows [r0, r1) of a triangle-split job on this thread, from the arguments its workers get.
function triangleRows(job: Job, a0: f64, a1: f64, a2: f64, a3: f64, r0: i32, r1: i32): void {
  if (job == Job.gramRows) gramRows(<usize>a0, <usize>a1, <i32>a2, <i32>a3, r0, r1);
  else if (job == Job.gramMirrorRows) gramMirrorRows(<usize>a0, <i32>a1, r0, r1);
  else symmetrizeRows(<usize>a0, <i32>a1, <i32>a2, <f32>a3, r0, r1);
}

// Job `job` on rows [0, n) split across the pool by triangleCut (rising or falling by the job's
// split rule), or on this thread alone when the rows are too few: worker k gets the leading
// arguments (a0, a1, and a2, a3 when four) then its rows.
function splitTriangle(job: Job, n: i32, N: i32, lead: i32, a0: f64, a1: f64, a2: f64 = 0, a3: f64 = 0): void {
  const rising = jobSplit(job) == Split.triangleRising;
  const t = threadsFor(n);
  if (t < 2) {
    triangleRows(job, a0, a1, a2, a3, 0, n);
    return;
  }
  let r0 = 0, own = 0;
  for (let k = 0; k < threads; k++) {
    const r1 = k < t ? max(r0, triangleCut(k, t, n, N, rising)) : r0;
    if (k == 0) own = r1;
    else if (r1 <= r0) arg(k, 0, -1);
    else if (lead == 2) setArgs(k, a0, a1, r0, r1);
    else setArgs(k, a0, a1, a2, a3, r0, r1);
    r0 = r1;
  }
  const seq = post(job, lead + 2);
  triangleRows(job, a0, a1, a2, a3, 0, own);
  join(seq);
}

// gramMirrorRows on all rows, split across the pool (row i copies about i values).
export function parallelGramMirror(out: usize, N: i32): void {
  splitTriangle(Job.gramMirrorRows, N & ~3, N, 2, out, N);
}

// symmetrizeRows on rows [0, rows), split across the pool (row i sums about N - i pairs).
export function parallelSymmetrize(sim: usize, N: i32, rows: i32, c: f32): void {
  splitTriangle(Job.symmetrizeRows, rows, N, 4, sim, N, rows, c);
}

// gramRows on rows [0, rows) (rows a multiple of 4, or N), split across the pool (row i computes
// about N - i outputs).
export function gramTop(out: usize, z: usize, N: i32, m: i32, rows: i32): void {
  splitTriangle(Job.gramRows, rows, N, 4, out, z, N, m);
}

// ntxentRows on all 2B rows, split in equal ranges across the pool (rows cost the same).
export function parallelNtxentRows(sim: usize, terms: usize, B: i32, tau: f32): void {
  const N = 2 * B;
  const t = threadsFor(N);
  if (t < 2) {
    ntxentRows(sim, terms, B, tau, 0, N);
    return;
  }
  const per = (N + t - 1) / t;
  for (let k = 1; k < threads; k++) {
    const i0 = shareStart(k, per, N);
    if (i0 < 0) continue;
    setArgs(k, sim, terms, B, tau, i0, min(N, i0 + per));
  }
  const seq = post(Job.ntxentRows, 6);
  ntxentRows(sim, terms, B, tau, 0, min(N, per));
  join(seq);
}

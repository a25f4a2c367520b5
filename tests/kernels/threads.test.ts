// Kernel threads: the parallel kernels on 2 and 3 threads give bit-identical results to one thread
// (every output runs the same instructions whatever the split), on odd sizes too.
import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { BACKENDS, createEngine, type Backend, type Engine } from "../../src/engine/wasm.js";
import { allocCtr, writeNet } from "../../src/engine/layout.js";
import { NORM } from "../../src/engine/kernels.js";
import { ACT_NAMES, engines, Mem, Rand, randomNet, wasmNet } from "./kernels-harness.js";

const SIMD_BACKENDS: Backend[] = ["relaxed", "simd"];
const pools: Engine[] = [];
afterAll(() => pools.forEach((e) => e.close()));

async function threaded(backend: Backend, threads: number): Promise<Mem> {
  const e = await createEngine({ backend, threads, maxMemoryMiB: 256 });
  pools.push(e);
  return new Mem(e);
}

// One attack and one evaluation attack on a random network, from the same start on every engine;
// with `incremental`, their forward passes update the last iterate's (assembly/attack.ts).
function runAll(mem: Mem, B: number, norm: number, incremental = false) {
  return mem.scope(() => {
    const r = new Rand(B * 31 + norm);
    const n = randomNet(r, { d: 37, m: 50, C: 1, activation: 0, bias: true }, 0.3);
    const net = wasmNet(mem, n, B);
    const x = mem.put(r.vec(B * n.d)),
      y = mem.put(r.labels(B)),
      start = r.vec(B * n.d, -0.01, 0.01);
    const delta = mem.put(start),
      xadv = mem.zeros(B * n.d);
    const wt = mem.zeros(n.d * n.m),
      xprev = mem.zeros(B * n.d);
    if (incremental) mem.k.transpose(wt.ptr, net.W.ptr, n.m, n.d);
    const [p, t] = incremental ? [xprev.ptr, wt.ptr] : [0, 0];
    const eps = norm === NORM.l2 ? 0.5 : 0.05;
    mem.k.pgdAttack(net.rec.ptr, net.work.rec.ptr, x.ptr, y.ptr, delta.ptr, xadv.ptr, p, t, B, norm, eps, eps / 4, 7, 0, 0, 0);
    const attack = { delta: mem.get(delta), xadv: mem.get(xadv) };
    const d2 = mem.put(start),
      best = mem.zeros(B * n.d),
      bm = mem.put(new Float64Array(B).fill(Infinity));
    const robust = mem.k.pgdEval(
      net.rec.ptr,
      net.work.rec.ptr,
      x.ptr,
      y.ptr,
      d2.ptr,
      xadv.ptr,
      p,
      t,
      best.ptr,
      bm.ptr,
      B,
      norm,
      eps,
      eps / 4,
      7,
      0.1,
      0,
      0,
    );
    const evaluation = { robust, best: mem.get(best), margin: mem.get(bm) };
    mem.k.netForward(net.rec.ptr, net.work.rec.ptr, x.ptr, B);
    return { attack, evaluation, logits: mem.get(net.work.logits), pre: mem.get(net.work.pre) };
  });
}

// A training backward pass (gradients of every parameter, no dx) and an Adam step on its gradient of W.
function trainAll(mem: Mem, B: number, m: number, C: number, activation: number) {
  return mem.scope(() => {
    const r = new Rand(B * 7 + m * 3 + C + activation);
    const n = randomNet(r, { d: 23, m, C, activation, bias: true }, 0.3);
    const net = wasmNet(mem, n, B);
    const grad = { W: mem.zeros(m * n.d), thr: mem.zeros(m), A: mem.zeros(C * m), c: mem.zeros(C) };
    const gradRec = writeNet(mem.e.arena, grad, { d: n.d, m, C, activation: ACT_NAMES[activation] });
    const x = mem.put(r.vec(B * n.d));
    mem.k.netForward(net.rec.ptr, net.work.rec.ptr, x.ptr, B);
    mem.e.arena.f32(net.work.dlogits).set(r.sparsify(r.vec(B * C), 0.3));
    mem.k.netBackward(net.rec.ptr, gradRec.ptr, net.work.rec.ptr, x.ptr, 0, B, 0);
    // (dh and dpre are not compared: a split backward leaves them in per-range blocks, tested below.)
    const gradients = { W: mem.get(grad.W), thr: mem.get(grad.thr), A: mem.get(grad.A), c: mem.get(grad.c) };
    const mom = mem.put(r.vec(m * n.d, -0.01, 0.01)),
      v = mem.put(r.vec(m * n.d, 0, 0.01));
    mem.k.adamStep(net.W.ptr, grad.W.ptr, mom.ptr, v.ptr, m * n.d, 0.01, 0.9, 0.999, 1e-8, 0.01, 3);
    return { gradients, W: mem.get(net.W), mom: mem.get(mom), v: mem.get(v) };
  });
}

describe.each(BACKENDS)("%s backend: the split training backward", (backend) => {
  // A range [j0, j1) leaves its dh and dpre as one (B, j1 - j0) block at B·j0 floats into each buffer.
  const fromBlocks = (blocks: number[], B: number, m: number, ranges: [number, number][]) => {
    const out = new Array<number>(B * m).fill(NaN);
    for (const [j0, j1] of ranges) {
      for (let b = 0; b < B; b++) for (let j = j0; j < j1; j++) out[b * m + j] = blocks[B * j0 + b * (j1 - j0) + (j - j0)];
    }
    return out;
  };

  it.each([
    [1, 0],
    [3, 0],
    [2, 1],
  ])("netBackwardColumns on 4-aligned ranges equals netBackward bit for bit (C=%i, activation %i)", (C, activation) => {
    const mem = new Mem(engines[backend]);
    for (const m of [5, 37, 64]) {
      mem.scope(() => {
        const r = new Rand(m * 11 + C);
        const B = 29;
        const n = randomNet(r, { d: 19, m, C, activation, bias: true }, 0.3);
        const x = r.vec(B * n.d),
          dlogits = r.sparsify(r.vec(B * C), 0.3);
        const run = (ranges: [number, number][]) => {
          const net = wasmNet(mem, n, B);
          const grad = { W: mem.zeros(m * n.d), thr: mem.zeros(m), A: mem.zeros(C * m), c: mem.zeros(C) };
          const gradRec = writeNet(mem.e.arena, grad, { d: n.d, m, C, activation: ACT_NAMES[activation] });
          const xb = mem.put(x);
          mem.k.netForward(net.rec.ptr, net.work.rec.ptr, xb.ptr, B);
          mem.e.arena.f32(net.work.dlogits).set(dlogits);
          if (ranges.length === 0) mem.k.netBackward(net.rec.ptr, gradRec.ptr, net.work.rec.ptr, xb.ptr, 0, B, 0);
          for (const [j0, j1] of ranges) mem.k.netBackwardColumns(net.rec.ptr, gradRec.ptr, net.work.rec.ptr, xb.ptr, B, 0, j0, j1);
          const [dh, dpre] = [net.work.dh, net.work.dpre].map((b) => Array.from(mem.get(b)));
          const hidden = ranges.length === 0 ? [dh, dpre] : [dh, dpre].map((v) => fromBlocks(v, B, m, ranges));
          return [grad.W, grad.thr, grad.A, grad.c].map((b) => Array.from(mem.get(b))).concat(hidden);
        };
        const whole = run([]);
        expect(whole[0].some((g) => g !== 0)).toBe(true);
        expect(whole[5].some((g) => g !== 0)).toBe(true);
        const cut = Math.min(m, 4 * Math.ceil(m / 12));
        for (const ranges of [
          [[0, m]],
          [
            [0, cut],
            [cut, m],
          ],
          [
            [cut, m],
            [0, cut],
          ],
        ] as [number, number][][]) {
          expect(run(ranges)).toEqual(whole);
        }
      });
    }
  });
});

describe.each(SIMD_BACKENDS)("%s backend", (backend) => {
  it.each([
    [2, 48, 50, 1, 0],
    [2, 31, 37, 3, 1],
    [3, 40, 70, 2, 0],
    [2, 64, 6000, 1, 0],
  ])(
    "threads=%i, B=%i, m=%i, C=%i, activation %i: the training backward and Adam are bit-identical to one thread",
    async (threads, B, m, C, activation) => {
      const want = trainAll(new Mem(engines[backend]), B, m, C, activation);
      const got = trainAll(await threaded(backend, threads), B, m, C, activation);
      expect(got).toEqual(want);
      expect(want.gradients.W.some((g) => g !== 0)).toBe(true);
    },
  );

  it("runs on the requested number of threads", async () => {
    expect((await threaded(backend, 2)).e.threads).toBe(2);
  });

  it.each([
    [2, 1],
    [2, 70],
    [3, 70],
    [3, 257],
    [2, 513],
  ])("threads=%i, B=%i: bit-identical to one thread", async (threads, B) => {
    const one = new Mem(engines[backend]);
    const many = await threaded(backend, threads);
    for (const [norm, incremental] of [
      [NORM.l2, false],
      [NORM.linf, false],
      [NORM.linf, true],
    ] as const) {
      const want = runAll(one, B, norm, incremental);
      const got = runAll(many, B, norm, incremental);
      expect(got.evaluation.robust).toBe(want.evaluation.robust);
      expect(Array.from(got.attack.delta)).toEqual(Array.from(want.attack.delta));
      expect(Array.from(got.attack.xadv)).toEqual(Array.from(want.attack.xadv));
      expect(Array.from(got.evaluation.best)).toEqual(Array.from(want.evaluation.best));
      expect(Array.from(got.evaluation.margin)).toEqual(Array.from(want.evaluation.margin));
      expect(Array.from(got.logits)).toEqual(Array.from(want.logits));
      expect(Array.from(got.pre)).toEqual(Array.from(want.pre));
      // the attack did something: the comparison is not between two untouched buffers
      expect(got.attack.delta.some((v) => Math.abs(v) > 0.011)).toBe(true);
    }
  });
});

it("the scalar backend runs one thread whatever is asked", async () => {
  const e = await createEngine({ backend: "scalar", threads: 4, maxMemoryMiB: 16 });
  pools.push(e);
  expect(e.threads).toBe(1);
});

it("an engine too small for its threads' scratch blocks says so, naming the thread count", async () => {
  await expect(createEngine({ backend: "simd", threads: 2, maxMemoryMiB: 1 })).rejects.toThrow(
    /thread scratch needs .* over the limit of 1\.0 MiB; .*the thread count/,
  );
});

it("rejects a thread count outside [0, 64], and takes 0 as one per core (at most 8)", async () => {
  await expect(createEngine({ threads: -1 })).rejects.toThrow(/threads must be an integer in \[0, 64\] \(0: one per core\)/);
  await expect(createEngine({ threads: 65 })).rejects.toThrow(/threads must be an integer in \[0, 64\]/);
  const e = await createEngine({ backend: "simd", threads: 0, maxMemoryMiB: 16 });
  pools.push(e);
  expect(e.threads).toBe(Math.min(8, availableParallelism()));
});

describe.each(BACKENDS)("%s backend: the Gram product", (backend) => {
  it.each([
    [1, 1],
    [3, 5],
    [4, 8],
    [5, 13],
    [17, 3],
    [40, 23],
    [67, 16],
    [130, 9],
  ])("N=%i, m=%i: gramForward gives matmulForward's bits, on 1 and 3 threads", async (N, m) => {
    const run = (mem: Mem) =>
      mem.scope(() => {
        const z = mem.put(new Rand(N * m).vec(N * m));
        const full = mem.zeros(N * N),
          gram = mem.put(new Float64Array(N * N).fill(NaN));
        mem.k.matmulForward(full.ptr, z.ptr, z.ptr, 0, N, m, N);
        mem.k.gramForward(gram.ptr, z.ptr, N, m);
        return { full: Array.from(mem.get(full)), gram: Array.from(mem.get(gram)) };
      });
    const one = run(new Mem(engines[backend]));
    expect(one.gram).toEqual(one.full);
    const three = run(await threaded(backend, 3));
    expect(three.gram).toEqual(one.full);
  });
});

describe.each(SIMD_BACKENDS)("%s backend: products split from inside WASM (assembly/pool.ts)", (backend) => {
  it.each([
    [2, 40, 23],
    [3, 96, 50],
    [2, 31, 8],
    [2, 12, 5],
  ])(
    "threads=%i: NT-Xent on %i pairs (m=%i) is bit-identical to one thread, and split when there are rows enough",
    async (threads, B, m) => {
      const run = (mem: Mem) =>
        mem.scope(() => {
          const r = new Rand(B + m);
          const z = mem.put(r.vec(2 * B * m)),
            sim = mem.zeros(4 * B * B),
            dz = mem.zeros(2 * B * m),
            scratch = mem.zeros(4 * B * m);
          const loss = mem.k.ntxentForward(sim.ptr, z.ptr, scratch.ptr, B, m, 0.5);
          mem.k.ntxentBackward(dz.ptr, sim.ptr, z.ptr, scratch.ptr, B, m, 0.5, 1);
          return { loss, dz: Array.from(mem.get(dz)) };
        });
      const many = await threaded(backend, threads);
      const before = many.k.poolJobs();
      const want = run(new Mem(engines[backend])),
        got = run(many);
      expect(got.loss).toBe(want.loss);
      expect(got.dz).toEqual(want.dz);
      // the Gram product and its mirror, the softmax rows, the symmetrisation and the backward product
      // each split, unless 2B rows leave fewer than 16 per thread
      expect(many.k.poolJobs() - before).toBe(2 * B >= 32 ? 5 : 0);
      expect(engines[backend].kernels.poolJobs()).toBe(0);
    },
  );
});

describe.each(SIMD_BACKENDS)("%s backend: the contrastive training backward", (backend) => {
  // m = 50 is not a multiple of 4 and leaves the last thread the sparse rows past the last group of 4.
  it.each([
    [2, 24, 23, 50],
    [3, 40, 100, 64],
    [2, 6, 9, 40],
  ])(
    "threads=%i, %i pairs, d=%i, m=%i: gradients and dx bit-identical to one thread, the weight gradient split by units when there are units enough",
    async (threads, B, d, m) => {
      const run = (mem: Mem) =>
        mem.scope(() => {
          const r = new Rand(B * 7 + d * 3 + m);
          const n = randomNet(r, { d, m, C: 1, activation: 0, bias: false }, 0.3);
          const net = wasmNet(mem, n, 2 * B);
          const shape = { d, m, C: 1, activation: ACT_NAMES[0] };
          const ctr = allocCtr(mem.e.arena, { loss: "ntxent", normalize: true, tau: 0.5 }, m, B);
          const x = mem.put(r.vec(2 * B * d));
          const gW = mem.put(r.vec(m * d)),
            gthr = mem.put(r.vec(m)),
            dx = mem.put(r.vec(2 * B * d));
          const grec = writeNet(mem.e.arena, { W: gW, thr: gthr, A: null, c: null }, shape);
          const loss = mem.k.contrastiveForward(net.rec.ptr, net.work.rec.ptr, ctr.rec.ptr, x.ptr, B);
          const jobs = mem.k.poolJobs();
          mem.k.contrastiveBackward(net.rec.ptr, grec.ptr, net.work.rec.ptr, ctr.rec.ptr, x.ptr, dx.ptr, B, 0, 0.5);
          return {
            loss,
            jobs: mem.k.poolJobs() - jobs,
            gW: Array.from(mem.get(gW)),
            gthr: Array.from(mem.get(gthr)),
            dx: Array.from(mem.get(dx)),
          };
        });
      const want = run(new Mem(engines[backend])),
        got = run(await threaded(backend, threads));
      expect(got.loss).toBe(want.loss);
      expect(got.gW).toEqual(want.gW);
      expect(got.gthr).toEqual(want.gthr);
      expect(got.dx).toEqual(want.dx);
      // the symmetrisation and the backward product with z, dx by rows and dW by units, each where 16
      // rows or units per thread are there
      expect(got.jobs).toBe(Number(2 * B >= 32) * 3 + Number(m >= 32));
    },
  );
});

// Contrastive pre-training splits its products from inside WASM (assembly/pool.ts): 48 pairs are 96
// rows, enough for two threads.
it.each(["supervised", "contrastive"] as const)("a whole %s experiment gives the same numbers on 2 threads as on 1", async (mode) => {
  const { runExperiment } = await import("../../src/api.js");
  const config = {
    mode,
    data: { dim: 12 },
    model: { width: 16 },
    optim: { steps: 20, batch: 48 },
    downstream: { n: 200 },
    eval: { n: 120, epsL2: [0.2], epsLinf: [0.05], strongSteps: 5, strongRestarts: 1 },
  };
  const strip = (o: unknown) => JSON.stringify(o, (k, v) => (k === "timingsMs" || k === "threads" ? undefined : v));
  const one = await runExperiment({ ...config, threads: 1 });
  const two = await runExperiment({ ...config, threads: 2 });
  expect(two.config.threads).toBe(2);
  expect(strip(two)).toBe(strip(one));
});

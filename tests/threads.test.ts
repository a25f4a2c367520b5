// Kernel threads: the row-parallel kernels on 2 and 3 threads give bit-identical results to one
// thread (every row runs the same instructions whatever the split), on odd batch sizes too.
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type Backend, type Engine } from "../src/engine/wasm.js";
import { NORM } from "../src/engine/kernels.js";
import { engines, Mem, Rand, randomNet, wasmNet } from "./kernels-harness.js";

const SIMD_BACKENDS: Backend[] = ["relaxed", "simd"];
const pools: Engine[] = [];
afterAll(() => pools.forEach((e) => e.close()));

async function threaded(backend: Backend, threads: number): Promise<Mem> {
  const e = await createEngine({ backend, threads, maxMemoryMiB: 256 });
  pools.push(e);
  return new Mem(e);
}

// One attack and one evaluation attack on a random network, from the same start on every engine.
function runAll(mem: Mem, B: number, norm: number) {
  return mem.scope(() => {
    const r = new Rand(B * 31 + norm);
    const n = randomNet(r, { d: 37, m: 50, C: 1, activation: 0, bias: true }, 0.3);
    const net = wasmNet(mem, n, B);
    const x = mem.put(r.vec(B * n.d)), y = mem.put(r.labels(B)), start = r.vec(B * n.d, -0.01, 0.01);
    const delta = mem.put(start), xadv = mem.zeros(B * n.d);
    const eps = norm === NORM.l2 ? 0.5 : 0.05;
    mem.k.pgdAttack(net.rec.ptr, net.work.rec.ptr, x.ptr, y.ptr, delta.ptr, xadv.ptr, B, norm, eps, eps / 4, 7, 0, 0, 0);
    const attack = { delta: mem.get(delta), xadv: mem.get(xadv) };
    const d2 = mem.put(start), best = mem.zeros(B * n.d), bm = mem.put(new Float64Array(B).fill(Infinity));
    const robust = mem.k.pgdEval(net.rec.ptr, net.work.rec.ptr, x.ptr, y.ptr, d2.ptr, xadv.ptr, best.ptr, bm.ptr, B, norm, eps, eps / 4, 7, 0.1, 0, 0);
    const evaluation = { robust, best: mem.get(best), margin: mem.get(bm) };
    mem.k.netForward(net.rec.ptr, net.work.rec.ptr, x.ptr, B);
    return { attack, evaluation, logits: mem.get(net.work.logits), pre: mem.get(net.work.pre) };
  });
}

describe.each(SIMD_BACKENDS)("%s backend", (backend) => {
  it("runs on the requested number of threads", async () => {
    expect((await threaded(backend, 2)).e.threads).toBe(2);
  });

  it.each([[2, 1], [2, 70], [3, 70], [3, 257], [2, 513]])("threads=%i, B=%i: bit-identical to one thread", async (threads, B) => {
    const one = new Mem(engines[backend]);
    const many = await threaded(backend, threads);
    for (const norm of [NORM.l2, NORM.linf]) {
      const want = runAll(one, B, norm);
      const got = runAll(many, B, norm);
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

it("rejects a thread count outside [1, 64]", async () => {
  await expect(createEngine({ threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 64\]/);
});

it("a whole experiment gives the same numbers on 2 threads as on 1", async () => {
  const { runExperiment } = await import("../src/api.js");
  const config = {
    data: { dim: 12 }, model: { width: 16 }, optim: { steps: 20, batch: 48 }, downstream: { n: 200 },
    eval: { n: 120, epsL2: [0.2], epsLinf: [0.05], strongSteps: 5, strongRestarts: 1 },
  };
  const strip = (o: unknown) => JSON.stringify(o, (k, v) => (k === "timingsMs" || k === "threads" ? undefined : v));
  const one = await runExperiment({ ...config, threads: 1 });
  const two = await runExperiment({ ...config, threads: 2 });
  expect(two.config.threads).toBe(2);
  expect(strip(two)).toBe(strip(one));
});

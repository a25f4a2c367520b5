// Pools, tasks and the Dataset built on small synthetic digits (the real ones are tested in mnist.test.ts).
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { CLASSES, PIXELS, SIDE, type MnistDigits } from "../../src/data/mnist.js";
import { mnistDatasetFrom, splitPools } from "../../src/data/mnistDataset.js";
import { MNIST_TASKS, taskLabels } from "../../src/data/mnistTasks.js";
import { Rng } from "../../src/rng.js";

/** n <= 256 images; image i has class i % 10 and every pixel equal to i / 255. */
function fakeDigits(n: number): MnistDigits {
  const pixels = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) pixels.fill(i, i * PIXELS, (i + 1) * PIXELS);
  return { n, pixels, labels: Uint8Array.from({ length: n }, (_, i) => i % CLASSES) };
}

describe("MNIST pools and tasks", () => {
  it("splits into disjoint pools of the requested sizes, the same for the same seed", () => {
    const sizes = { test: 50, downTrain: 80, pretrain: 0 };
    const a = splitPools(300, sizes, new Rng(3).fork("mnist-split"));
    expect([a.test.length, a.downTrain.length, a.pretrain.length]).toEqual([50, 80, 170]);
    const all = [...a.test, ...a.downTrain, ...a.pretrain];
    expect(new Set(all).size).toBe(300);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(299);
    const b = splitPools(300, sizes, new Rng(3).fork("mnist-split"));
    expect(b).toEqual(a);
    const c = splitPools(300, sizes, new Rng(4).fork("mnist-split"));
    expect(Array.from(c.test)).not.toEqual(Array.from(a.test));
    expect(splitPools(300, { ...sizes, pretrain: 20 }, new Rng(3)).pretrain.length).toBe(20);
    expect(() => splitPools(100, { test: 50, downTrain: 40, pretrain: 20 }, new Rng(1))).toThrow(/do not fit/);
  });

  it("labels digits by task: parity, low-high and prime", () => {
    const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(Array.from(taskLabels("parity", digits))).toEqual([1, -1, 1, -1, 1, -1, 1, -1, 1, -1]);
    expect(Array.from(taskLabels("low-high", digits))).toEqual([1, 1, 1, 1, 1, -1, -1, -1, -1, -1]);
    expect(Array.from(taskLabels("prime", digits))).toEqual([-1, -1, 1, 1, -1, 1, -1, 1, -1, -1]);
    for (const pos of Object.values(MNIST_TASKS)) expect(pos.length).toBeGreaterThan(0);
  });

  it("builds a dataset in [0, 1] whose tasks, pools and images agree with the split", () => {
    const digits = fakeDigits(250);
    const cfg = resolveConfig({
      data: { source: "mnist" },
      eval: { n: 60 },
      downstream: { n: 90 },
      mnist: { nPretrain: 100 },
      optim: { batch: 32 },
    });
    const ds = mnistDatasetFrom(digits, cfg, new Rng(cfg.seed));
    expect(ds.d).toBe(PIXELS);
    expect(ds.box).toEqual([0, 1]);
    expect(ds.truth).toBeNull();
    expect([ds.preTest.n, ds.downTest.n, ds.downTrain.n]).toEqual([60, 60, 90]);
    expect(ds.images).toMatchObject({ side: SIDE, classCount: CLASSES });
    // An image's pixels identify it (index / 255), and its class is index % 10.
    const idOf = (x: Float32Array, r: number) => Math.round(x[r * PIXELS] * 255);
    for (let r = 0; r < ds.downTest.n; r++) {
      const cls = ds.images!.classes[r];
      expect(idOf(ds.downTest.x, r) % CLASSES).toBe(cls);
      expect(ds.downTest.y[r]).toBe(taskLabels("parity", [cls])[0]);
      expect(ds.preTest.y[r]).toBe(taskLabels("low-high", [cls])[0]);
    }
    for (const x of [ds.downTrain.x, ds.downTest.x]) {
      expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...x)).toBeLessThanOrEqual(1);
    }
    // Pre-training batches come from the pre-training pool only, labelled by low-high.
    const held = new Set<number>();
    for (let r = 0; r < ds.downTest.n; r++) held.add(idOf(ds.downTest.x, r));
    for (let r = 0; r < ds.downTrain.n; r++) held.add(idOf(ds.downTrain.x, r));
    expect(held.size).toBe(60 + 90);
    const seen = new Set<number>();
    const B = 32;
    const x = new Float32Array(B * PIXELS);
    const y = new Float32Array(B);
    const src = ds.pretrainBatches(B, new Rng(9));
    for (let step = 0; step < 10; step++) {
      src.next(x, y);
      for (let b = 0; b < B; b++) {
        const id = idOf(x, b);
        expect(held.has(id)).toBe(false);
        expect(y[b]).toBe(id % 10 < 5 ? 1 : -1);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(100); // 320 draws cover the whole pool of 100 (each epoch is a permutation)
  });
});

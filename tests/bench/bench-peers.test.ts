// The bench's peers: each records how it ran (BLAS library and kernel, the environment overrides,
// threads, processor, tfjs build) and whether its loss and gradients agree with featpure's; a peer
// that is not installed is skipped with its reason, not a failure. Passes with or without PyTorch
// here (CI lacks it), asserting what each case must show. Speed is not asserted.
import { describe, expect, it } from "vitest";
import { compareChecks, AGREEMENT_TOLERANCE } from "../../benchmarks/agreement.js";
import { peerContenders } from "../../benchmarks/bench.js";
import { peerRounds, summarize, type PeerRow } from "../../benchmarks/peerRounds.js";
import { BLAS_OVERRIDES, KEEP_HEAP, torchEnv, torchMissing, type CheckResult } from "../../benchmarks/peers/torch.js";
import { EPS, makeContrastiveWorkload, makeWorkload } from "../../benchmarks/workload.js";
import type { Workloads } from "../../benchmarks/peers/contender.js";

const tiny = { d: 12, m: 16, B: 8, pgd: 2 };
const workloads = (): Workloads => ({ supervised: makeWorkload(tiny, 2), contrastive: makeContrastiveWorkload(tiny, 2) });

describe("bench peers", () => {
  it("torchEnv pins BLAS threads to the thread count, and drops exactly the OpenBLAS overrides when asked", () => {
    const shell = { OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "512", OTHER: "x" };
    const kept = torchEnv(2, false, false, shell);
    expect(kept).toMatchObject({ ...shell, OPENBLAS_NUM_THREADS: "2", OMP_NUM_THREADS: "2" });
    expect(kept.GLIBC_TUNABLES).toBeUndefined();
    const dropped = torchEnv(1, true, true, shell);
    for (const k of BLAS_OVERRIDES) expect(dropped[k], k).toBeUndefined();
    expect(dropped).toMatchObject({ OTHER: "x", OPENBLAS_NUM_THREADS: "1", GLIBC_TUNABLES: KEEP_HEAP });
  });

  it("compareChecks passes f32 rounding and fails a wrong gradient, a wrong loss or a NaN", () => {
    const g = Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const mine: CheckResult = { clean: { loss: 0.7, grads: { W: g } }, adversarial: { loss: 0.9, grads: { W: g } } };
    const close = { clean: { loss: 0.7 * (1 + 1e-7), grads: { W: g.map((v) => Math.fround(v)) } }, adversarial: mine.adversarial };
    expect(compareChecks(close, mine).ok).toBe(true);
    const wrongGrad = { ...close, adversarial: { loss: 0.9, grads: { W: g.map((v, i) => (i === 7 ? v + 0.01 : v)) } } };
    expect(compareChecks(wrongGrad, mine)).toMatchObject({ ok: false });
    expect(compareChecks(wrongGrad, mine).errors["adversarial grad W"]).toBeGreaterThan(AGREEMENT_TOLERANCE);
    expect(compareChecks({ ...close, clean: { loss: 0.71, grads: close.clean.grads } }, mine).ok).toBe(false);
    expect(compareChecks({ ...close, clean: { loss: NaN, grads: close.clean.grads } }, mine).ok).toBe(false);
    expect(compareChecks({ ...close, clean: { loss: 0.7, grads: { W: g.slice(1) } } }, mine).ok).toBe(false);
  });

  it("a missing PyTorch and a missing tfjs are skipped with their reasons; featpure and plain JS still run and agree", async () => {
    const wl = workloads();
    const { contenders, skipped } = await peerContenders(wl, "simd", [1, 2], {
      python: "/nonexistent/python3",
      loadTfjs: () => Promise.reject(new Error("Cannot find module '@tensorflow/tfjs'")),
    });
    try {
      expect(skipped.map((s) => s.peer)).toEqual(["PyTorch", "tfjs-backend-wasm", "tfjs-backend-cpu"]);
      expect(skipped[0].reason).toMatch(/\/nonexistent\/python3 not found/);
      expect(skipped[1].reason).toMatch(/not installed/);
      expect(contenders.map((c) => c.family)).toEqual(["featpure", "featpure", "plain JS"]);
      const rows = await peerRounds(contenders, "supervised", tiny, EPS, 1, 1, () => {});
      const js = rows.find((r) => r.family === "plain JS")!;
      expect(js.agreement?.ok).toBe(true);
      expect(summarize(rows).rows.map((r) => `${r.peer} ${r.kind}`)).toEqual(["plain JS clean", "plain JS adversarial"]);
    } finally {
      for (const c of contenders) c.close();
    }
  });

  it("records each peer's settings and its agreement with featpure (PyTorch where installed, else skipped)", async () => {
    const wl = workloads();
    const { contenders, skipped } = await peerContenders(wl, "simd", [1, 2], {
      torch: [
        [1, false],
        [2, false],
      ],
    });
    try {
      const rows: PeerRow[] = [];
      for (const task of ["supervised", "contrastive"] as const)
        rows.push(...(await peerRounds(contenders, task, tiny, EPS, 1, 1, () => {})));
      const torch = rows.filter((r) => r.family === "PyTorch");
      if (torchMissing()) {
        expect(torch).toEqual([]);
        expect(skipped.find((s) => s.peer === "PyTorch")?.reason).toMatch(/not found|not importable/);
      } else {
        expect(skipped.some((s) => s.peer === "PyTorch")).toBe(false);
        expect(new Set(torch.map((r) => r.threads))).toEqual(new Set([1, 2]));
        for (const r of torch) {
          const s = r.settings!;
          expect(s.version).toMatch(/^PyTorch \d/);
          expect(s.processor.length).toBeGreaterThan(0);
          expect(s.blas?.built).toMatch(/BLAS/);
          // threadpoolctl names the library and the kernel it chose (Debian's python3-threadpoolctl).
          if (!s.blas?.threadpoolctl) expect(typeof s.blas?.kernel).toBe("string");
          expect(Object.keys(s.env).sort()).toEqual([...BLAS_OVERRIDES].sort());
          if (s.overrides === "dropped") for (const k of BLAS_OVERRIDES) expect(s.env[k]).toBeNull();
          else for (const k of BLAS_OVERRIDES) expect(s.env[k]).toBe(process.env[k] ?? null);
          expect(r.agreement?.ok, `${r.task} ${r.label}: ${JSON.stringify(r.agreement?.errors)}`).toBe(true);
        }
      }
      for (const r of rows.filter((q) => q.family === "tfjs-backend-wasm")) {
        expect(typeof r.settings?.simd).toBe("boolean");
        expect(typeof r.settings?.wasmThreads).toBe("boolean");
      }
      for (const r of rows.filter((q) => q.family !== "featpure")) expect(r.agreement?.ok, `${r.task} ${r.label}`).toBe(true);
      expect(rows.filter((r) => r.family !== "featpure" && r.task === "contrastive").length).toBeGreaterThan(0);
    } finally {
      for (const c of contenders) c.close();
    }
  }, 120_000);
});

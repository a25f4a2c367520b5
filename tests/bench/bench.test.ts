// The benchmark runs end to end at tiny sizes and writes a complete, valid JSON result. Speed itself
// is only measured in benchmarks/, never asserted here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../src/engine/wasm.js";
import { MADD_LOOP } from "../../benchmarks/kernels.js";

const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;

/** Runs `featpure bench ARGS --json FILE` in a fresh folder: the process and the parsed JSON. */
function bench(args: string[], timeout: number) {
  const dir = mkdtempSync(join(tmpdir(), "featpure-bench-"));
  try {
    const file = join(dir, "bench.json");
    const r = spawnSync(process.execPath, [bin, "bench", ...args, "--json", file], { encoding: "utf8", timeout });
    expect(r.status, r.stderr).toBe(0);
    return { r, j: JSON.parse(readFileSync(file, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("featpure bench", () => {
  it("--quick --no-peers --json writes every section, for every backend, with finite positive timings", () => {
    const { r, j } = bench(["--quick", "--no-peers"], 150_000);
    expect(r.stdout).toMatch(/Per-core limit of 128-bit SIMD: 16 flop\/cycle/);
    expect(j.quick).toBe(true);
    expect(j.machine.peakGflops).toBeGreaterThan(0);
    // The CLI sets the relaxed-SIMD flag, so all three builds run.
    expect(new Set(j.kernels.map((k: { backend: string }) => k.backend))).toEqual(new Set(BACKENDS));
    for (const k of j.kernels) {
      expect(k.ms).toBeGreaterThan(0);
      expect(Number.isFinite(k.gflops) && k.gflops > 0).toBe(true);
      expect(k.shareOfLimit).toBeCloseTo(k.gflops / j.machine.peakGflops, 10);
      // Only the relaxed build has the register-only multiply-add loop, and reads its kernels against it.
      expect(k.shareOfLoop !== undefined).toBe(k.backend === "relaxed");
    }
    const loops = j.kernels.filter((k: { kernel: string }) => k.kernel === MADD_LOOP);
    expect(loops.length).toBeGreaterThan(0);
    for (const l of loops) expect(l.backend).toBe("relaxed");
    const fwd = j.kernels.find((k: { backend: string; kernel: string }) => k.backend === "relaxed" && k.kernel === "matmulForward");
    expect(fwd.shareOfLoop).toBeCloseTo(fwd.gflops / loops[0].gflops, 10);
    expect(j.steps.length).toBeGreaterThanOrEqual(BACKENDS.length);
    for (const s of j.steps) {
      expect(s.clean).toBeGreaterThan(0);
      expect(s.adversarial).toBeGreaterThan(0);
    }
    // Without peers the scaling section times featpure alone.
    expect(j.scaling.map((s: { family: string }) => s.family)).toEqual(["featpure"]);
    for (const s of j.scaling) for (const k of ["clean", "adversarial"]) expect(s[k].ms).toBeGreaterThan(0);
    expect(j.peers).toEqual([]);
    expect(j.evaluation.length).toBeGreaterThan(0);
    for (const e of j.evaluation) {
      expect(e.pgdOnly).toBeGreaterThan(0);
      expect(e.withApgd).toBeGreaterThan(0);
      // the worst case over all attacks never reports more robust samples than PGD
      expect(e.headline.worstCase).toBeLessThanOrEqual(e.headline.pgd);
    }
    expect(j.summary.rows).toEqual([]);
    expect(j.skipped).toEqual([]);
    // Contrastive steps: every backend on one thread, the best one on two as well where there are two cores.
    expect(new Set(j.contrastive.map((c: { backend: string }) => c.backend))).toEqual(new Set(BACKENDS));
    expect(j.contrastive.some((c: { threads: number }) => c.threads === 2)).toBe(j.machine.cores >= 2);
    // The quick run pairs the l-inf step with and without incremental forward passes once.
    expect(j.incremental).toHaveLength(1);
    for (const v of [j.incremental[0].full, j.incremental[0].incremental, j.incremental[0].speedup])
      expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(r.stdout).toMatch(/Incremental forward passes in the attack/);
    // One pair of batch draws, TypeScript and the engine's kernel.
    expect(j.dataBatches).toHaveLength(1);
    for (const v of [j.dataBatches[0].typescript, j.dataBatches[0].engine, j.dataBatches[0].speedup])
      expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(r.stdout).toMatch(/Pre-training batches of the sparse-coding data/);
    // Two one-thread loops side by side in worker threads, where there are two cores to share.
    if (j.machine.cores >= 2) {
      expect(j.ceilings.map((c: { threads: number }) => c.threads)).toEqual([2]);
      for (const v of [j.ceilings[0].alone, j.ceilings[0].sideBySide, j.ceilings[0].ceiling])
        expect(Number.isFinite(v) && v > 0).toBe(true);
      expect(r.stdout).toMatch(/Parallel ceiling \(adversarial step\): 2 one-thread loops/);
    } else expect(j.ceilings).toEqual([]);
  });

  it("--quick --only peers times every peer setting with featpure on both tasks and prints the summary", () => {
    const { r, j } = bench(["--quick", "--only", "peers"], 240_000);
    const js = j.peers.find((p: { family: string }) => p.family === "plain JS");
    expect(js.agreement.ok).toBe(true);
    for (const p of j.peers) for (const k of ["clean", "adversarial"]) expect(Number.isFinite(p[k].ms) && p[k].ms > 0, p.label).toBe(true);
    for (const task of ["supervised", "contrastive"])
      expect(j.peers.filter((p: { task: string; family: string }) => p.task === task && p.family === "featpure").length).toBeGreaterThan(0);
    // plain JS has no contrastive step: the summary compares it on the supervised one alone.
    const jsRows = j.summary.rows.filter((s: { peer: string }) => s.peer === "plain JS");
    expect(jsRows.map((s: { task: string; kind: string }) => `${s.task} ${s.kind}`)).toEqual([
      "supervised clean",
      "supervised adversarial",
    ]);
    for (const s of jsRows) expect(s.ratio).toBeCloseTo(s.peerMs / s.featpureMs, 10);
    expect(r.stdout).toMatch(/Summary: each peer at its best correct setting against featpure's best/);
  });

  it("--only and --threads run just the named sections, on the named thread counts", () => {
    const { r, j } = bench(["--quick", "--only", "steps", "--threads", "1,3"], 60_000);
    for (const k of ["kernels", "contrastive", "scaling", "evaluation", "peers"]) expect(j[k], k).toEqual([]);
    const best = j.steps[0].who;
    expect(j.steps.filter((s: { who: string }) => s.who === best).map((s: { threads: number }) => s.threads)).toEqual([1, 3]);
    expect(j.ceilings.map((c: { threads: number }) => c.threads)).toEqual([3]);
    expect(r.stdout).not.toMatch(/Matrix kernels|Contrastive pre-training|How the step grows|Peers:/);
    expect(r.stdout).toMatch(/3 one-thread loops side by side/);
  });

  it.each([
    [["--threads", "0,2"], /--threads: expected a comma-separated list of thread counts, integers in \[1, 64\], got "0,2"/],
    [["--threads", "2,x"], /--threads: expected a comma-separated list/],
    [
      ["--only", "steps,kern"],
      /--only: expected a comma-separated list of sections among kernels, steps, contrastive, scaling, evaluation, peers, got "steps,kern"/,
    ],
  ])("rejects %j with exit code 2, naming the option and what it accepts", (args, message) => {
    const r = spawnSync(process.execPath, [bin, "bench", ...args], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("rejects a bad --ghz with exit code 2, naming the option and the range", () => {
    const r = spawnSync(process.execPath, [bin, "bench", "--ghz", "0"], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ghz: expected a clock in GHz in \(0\.1, 10\]/);
  });
});

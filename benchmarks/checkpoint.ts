// Cost of checkpointing at the default size: encoding, atomic writing and decoding one checkpoint of
// a run with both arms, next to the time of one adversarial training step (the same process).
// Usage: node dist/benchmarks/checkpoint.js
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, runExperiment } from "../src/api.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/io/checkpointFile.js";
import { writeFileAtomic } from "../src/files/atomic.js";
import { medians, timeIt } from "./timing.js";

const STEPS = 40;

async function main() {
  // Default sizes, few steps, a minimal evaluation: only the training state matters here.
  const cfg = resolveConfig({
    optim: { steps: STEPS },
    eval: { n: 1, epsL2: [], epsLinf: [], steps: 1, restarts: 1, strongSteps: 1, strongRestarts: 1 },
    downstream: { n: 2 },
  });
  let last: Uint8Array | null = null;
  const t0 = performance.now();
  await runExperiment(cfg, { checkpoint: { every: 0, write: (b) => (last = b) } });
  const runMs = performance.now() - t0;
  const bytes = last as unknown as Uint8Array;
  const ck = decodeCheckpoint(bytes);
  const dir = mkdtempSync(join(tmpdir(), "featpure-bench-"));
  const rows = {
    "checkpoint size (KiB)": bytes.length / 1024,
    "encode (ms)": medians(timeIt(() => encodeCheckpoint(ck), 15)).ms,
    "decode and verify (ms)": medians(timeIt(() => decodeCheckpoint(bytes), 15)).ms,
    "atomic write (ms)": medians(timeIt(() => writeFileAtomic(join(dir, "ck.fpt"), bytes), 15)).ms,
    [`whole run, ${STEPS} clean + ${STEPS} adversarial steps (ms per step)`]: runMs / (2 * STEPS),
  };
  rmSync(dir, { recursive: true, force: true });
  console.log("Checkpoint cost, default size (d=100, m=200, B=256, Adam, both arms in the file)");
  console.table(Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, +v.toFixed(2)])));
}

await main();

// One side of the parallel ceiling (ceiling.ts): a one-thread engine in a worker thread that runs
// `steps` adversarial training steps of the benchmark's workload whenever asked, and answers with
// the wall milliseconds per step.
import { parentPort, workerData } from "node:worker_threads";
import "../src/engine/relaxedSimdFlag.js";
import { createEngine, type Backend } from "../src/engine/wasm.js";
import { makeWorkload, type StepShape } from "./workload.js";
import { runSteps } from "./steps.js";

const { backend, shape } = workerData as { backend: Backend; shape: StepShape };
const engine = await createEngine({ backend, threads: 1 });
const w = makeWorkload(shape);
let run = 0;
parentPort!.on("message", async (steps: number) => {
  const t0 = performance.now();
  await runSteps(engine, w, steps, true, run++);
  parentPort!.postMessage((performance.now() - t0) / steps);
});
parentPort!.postMessage("ready");

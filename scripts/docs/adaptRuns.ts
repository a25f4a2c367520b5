#!/usr/bin/env node
// `npm run adapt-runs`: the three `featpure run --adapt ...` runs behind the adaptation tables of README.md
// and docs/adaptation.md, one after the other on this machine, written to docs/results/adapt/ with the
// machine they ran on. The per-neuron tables (`neurons`, `coefficients`) are left out of the committed
// files: they are most of a result's bytes and no document reads them.
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/files/atomic.js";
import { ADAPT_DIR, ADAPT_RUNS, type AdaptRunsRecord } from "./adapt.js";

const root = process.cwd();
const cli = join(root, "dist/bin/featpure.js");
mkdirSync(join(root, ADAPT_DIR), { recursive: true });
const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, loadBefore: loadavg()[0] };
for (const run of ADAPT_RUNS) {
  const tmp = join(root, ADAPT_DIR, `.${run.name}.full.json`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, "run", ...run.flags, "--json", tmp], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`featpure run ${run.flags.join(" ")} exited with ${r.status}`);
  }
  const result = JSON.parse(readFileSync(tmp, "utf8"));
  for (const arm of result.arms) {
    delete arm.neurons;
    delete arm.coefficients;
  }
  writeFileAtomic(join(root, ADAPT_DIR, `${run.name}.json`), JSON.stringify(result) + "\n");
  rmSync(tmp);
  console.log(`${run.name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
const record: AdaptRunsRecord = { date: new Date().toISOString().slice(0, 10), ...machine, loadAfter: loadavg()[0] };
writeFileAtomic(join(root, ADAPT_DIR, "machine.json"), JSON.stringify(record, null, 2) + "\n");

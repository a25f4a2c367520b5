#!/usr/bin/env node
// Runs both test runners (vitest for TypeScript, as-pect for the AssemblyScript kernels) and ends
// with the one line CI reads: "N passed, N failed", summed over both. Neither runner prints it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = (name) => join("node_modules", ".bin", name);
const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;
let broken = false;

// vitest: the JSON reporter gives exact counts; the default reporter stays on for people.
const dir = mkdtempSync(join(tmpdir(), "featpure-test-"));
const report = join(dir, "vitest.json");
const vt = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra], {
  stdio: "inherit",
});
try {
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A file that fails to load counts no test; count it as a failure so it cannot pass silently.
  if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) failed += r.numFailedTestSuites;
} catch {
  broken = true;
}
rmSync(dir, { recursive: true, force: true });
if (vt.status !== 0 && failed === 0) broken = true;

// as-pect: "Pass: X / Y" per spec file.
if (extra.length === 0) {
  const asp = spawnSync(
    bin("asp"),
    ["--config", "tests/assembly/as-pect.config.js", "--as-config", "tests/assembly/as-pect.asconfig.json", "--summary"],
    { encoding: "utf8" },
  );
  const out = (asp.stdout ?? "") + (asp.stderr ?? "");
  process.stdout.write(out.replace(/\x1b\[[0-9;]*m/g, ""));
  let seen = 0;
  for (const m of out.replace(/\x1b\[[0-9;]*m/g, "").matchAll(/Pass: (\d+) \/ (\d+)/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]) - Number(m[1]);
    seen++;
  }
  if (asp.status !== 0 && seen === 0) broken = true;
  if (asp.status !== 0 && failed === 0) failed++;
}

if (broken) failed++;
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

// The lock of a sweep's results file: taken before any work, refused while its holder lives, taken
// over once the holder is gone (same host: its pid; any host: no heartbeat for STALE_MS).
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { lockOutput, STALE_MS } from "../../src/sweep/outputLock.js";

const tmp = () => mkdtempSync(join(tmpdir(), "featpure-lock-"));
const holder = (pid: number, host = hostname()) =>
  JSON.stringify({ pid, host, since: "2026-01-01T00:00:00.000Z", command: "featpure sweep --out r.jsonl" }) + "\n";

/** A pid that ran and exited, so it names no running process. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

describe("the output lock", () => {
  it("names its holder, refuses a second taker, and is gone once released", () => {
    const out = join(tmp(), "r.jsonl");
    const lock = lockOutput("--out", out);
    const held = JSON.parse(readFileSync(`${out}.lock`, "utf8"));
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockOutput("--out", out)).toThrow(new RegExp(`--out ${out}: in use by featpure \\(pid ${process.pid} on ${hostname()}`));
    lock.release();
    expect(existsSync(`${out}.lock`)).toBe(false);
    lockOutput("--out", out).release();
    expect(existsSync(out)).toBe(false); // taking the lock creates no results file
  });

  it("takes over the lock of a process of this host that is gone", async () => {
    const out = join(tmp(), "r.jsonl");
    const pid = await deadPid();
    writeFileSync(`${out}.lock`, holder(pid));
    const lock = lockOutput("--out", out);
    expect(lock.replaced).toMatchObject({ pid });
    expect(JSON.parse(readFileSync(`${out}.lock`, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("refuses a live holder of this host, and one of another host until its heartbeat is STALE_MS old", () => {
    const out = join(tmp(), "r.jsonl");
    writeFileSync(`${out}.lock`, holder(process.ppid));
    expect(() => lockOutput("--out", out)).toThrow(/in use by/);
    // Another host: its pid means nothing here (pid 1 runs everywhere), only the age of the lock counts.
    writeFileSync(`${out}.lock`, holder(1, "node-elsewhere"));
    expect(() => lockOutput("--out", out)).toThrow(/pid 1 on node-elsewhere/);
    const old = new Date(Date.now() - STALE_MS - 5000);
    utimesSync(`${out}.lock`, old, old);
    const lock = lockOutput("--out", out);
    expect(lock.replaced).toMatchObject({ host: "node-elsewhere" });
    lock.release();
  });

  it("refuses an output whose folder is missing or which is a folder, before taking anything", () => {
    const dir = tmp();
    expect(() => lockOutput("--out", join(dir, "no", "r.jsonl"))).toThrow(
      `--out ${join(dir, "no", "r.jsonl")}: the folder ${join(dir, "no")} does not exist`,
    );
    mkdirSync(join(dir, "d"));
    expect(() => lockOutput("--out", join(dir, "d"))).toThrow(`${join(dir, "d")} is a folder, not a file`);
    writeFileSync(join(dir, "f"), "");
    expect(() => lockOutput("--out", join(dir, "f", "r.jsonl"))).toThrow(`${join(dir, "f")} is not a folder`);
    expect(() => lockOutput("--out", join(dir, "f", "g", "r.jsonl"))).toThrow(`the folder ${join(dir, "f", "g")} does not exist`);
  });
});

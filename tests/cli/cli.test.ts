// The CLI as a user meets it: the built dist/bin/featpure.js in a child process (npm test builds first).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;
const tiny = [
  "--dim",
  "12",
  "--width",
  "16",
  "--sparsity",
  "2",
  "--steps",
  "30",
  "--batch",
  "32",
  "--n-down",
  "200",
  "--n-eval",
  "100",
  "--eps-l2",
  "0.1,1",
  "--eps-linf",
  "0.05",
  "--strong-steps",
  "10",
  "--strong-restarts",
  "1",
  "--quiet",
];

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
}

describe("featpure CLI", () => {
  it("is built", () => expect(existsSync(bin)).toBe(true));

  it.each([
    [["run", "--width", "0"], "--width (model.width): must be an integer in [1, 65536], got 0"],
    [["run", "--eps", "-1"], "--eps (adv.eps): must be a number in [0, 100], got -1"],
    [["run", "--norm", "l1"], "--norm (adv.norm): must be one of l2, linf"],
    [["run", "--lr", "abc"], '--lr (optim.lr): must be a number in (0, 100], got "abc"'],
    [["run", "--sparsity", "500"], "--sparsity (data.sparsity): must be at most the number of features D = 100"],
    [["run", "--eps-l2", "0.1,x"], "--eps-l2 (eval.epsL2)"],
    [["run", "--train-head", "maybe"], "must be true or false"],
    [["run", "--no-such-flag"], "unknown option"],
    [["frobnicate"], "unknown command"],
    [["run", "--config", "/nonexistent/cfg.json"], "--config: cannot read"],
  ])("rejects %j with exit code 2 and a clear message", (args, message) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("rejects a config file with unknown keys or bad JSON, naming the file and field", () => {
    const dir = mkdtempSync(join(tmpdir(), "featpure-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ model: { widht: 10 } }));
    let r = cli("run", "--config", bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("model.widht: unknown option");
    writeFileSync(bad, "{ not json");
    r = cli("run", "--config", bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not valid JSON");
  });

  it("runs, writes the JSON result atomically, and repeats the same numbers for the same seed", () => {
    const dir = mkdtempSync(join(tmpdir(), "featpure-"));
    const cfg = join(dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ seed: 5, adv: { eps: 0.3 } }));
    const a = cli("run", ...tiny, "--config", cfg, "--json", join(dir, "a.json"));
    expect(a.status, a.stderr).toBe(0);
    const b = cli("run", ...tiny, "--config", cfg, "--json", join(dir, "b.json"));
    expect(b.status, b.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["a.json", "b.json", "cfg.json"]); // no temporary files left
    const ra = JSON.parse(readFileSync(join(dir, "a.json"), "utf8"));
    const rb = JSON.parse(readFileSync(join(dir, "b.json"), "utf8"));
    expect(ra.config.seed).toBe(5);
    expect(ra.config.adv.eps).toBe(0.3);
    expect(ra.config.model.width).toBe(16);
    expect(ra.arms.map((x: { arm: string }) => x.arm)).toEqual(["clean", "adv"]);
    const strip = (r: { arms: { timingsMs: unknown }[]; timingsMs: unknown }) => ({
      ...r,
      timingsMs: 0,
      arms: r.arms.map((x) => ({ ...x, timingsMs: 0 })),
    });
    expect(strip(ra)).toEqual(strip(rb));
  });

  it("prints the configuration, purification, accuracy and check tables", () => {
    const r = cli("run", ...tiny.filter((x) => x !== "--quiet"), "--train", "adv");
    expect(r.status, r.stderr).toBe(0);
    for (const title of [
      "Configuration",
      "Purification of the hidden neurons",
      "Accuracy against attack radius",
      "Is the attack strong enough?",
    ]) {
      expect(r.stdout).toContain(title);
    }
    expect(r.stdout).toContain("adv: downstream");
    expect(r.stdout).not.toContain("clean: downstream");
  });
});

// featpure run refuses what cannot work before any compute, and says what it does: resume without a
// checkpoint, output paths, contradictory options.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
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
  "20",
  "--batch",
  "32",
  "--n-down",
  "200",
  "--n-eval",
  "100",
  "--eps-l2",
  "0.1",
  "--eps-linf",
  "0.05",
  "--strong-steps",
  "5",
  "--strong-restarts",
  "1",
  "--quiet",
];

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
}

function expectUsage(r: ReturnType<typeof cli>, message: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const tmp = () => mkdtempSync(join(tmpdir(), "featpure-checks-"));

describe("--resume before the first checkpoint", () => {
  it("without a checkpoint and without a configuration, refuses instead of running the default experiment", () => {
    const ck = join(tmp(), "never.fpt");
    expectUsage(cli("run", "--checkpoint", ck, "--resume"), `--resume: no checkpoint at ${ck} yet`);
    expect(existsSync(ck)).toBe(false);
  });

  it("without a checkpoint, starts the run given on the command line", () => {
    const dir = tmp();
    const out = join(dir, "r.json");
    const r = cli("run", ...tiny, "--seed", "3", "--checkpoint", join(dir, "c.fpt"), "--resume", "--json", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("starting the run given on the command line from step 1");
    expect(JSON.parse(readFileSync(out, "utf8")).config.seed).toBe(3);
  });
});

describe("output paths are checked before any compute", () => {
  it.each([
    ["--json", "missing/x.json", "--json: the folder", "does not exist"],
    ["--checkpoint", "missing/c.fpt", "--checkpoint: the folder", "does not exist"],
    ["--json", ".", "--json: . is a folder, not a file", ""],
    ["--json", "/proc/featpure-x.json", "--json: cannot write in the folder /proc", ""],
  ])("%s %s: exit 2 naming the option, nothing created", (flag, path, message, more) => {
    const dir = tmp();
    const target = path.startsWith("/") || path === "." ? path : join(dir, path);
    const r = spawnSync(process.execPath, [bin, "run", ...tiny, flag, target], { encoding: "utf8", timeout: 60_000, cwd: dir });
    expectUsage(r, message);
    expect(r.stderr).toContain(more);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("--mosaic needs an existing folder", () => {
    const dir = join(tmp(), "pictures");
    expectUsage(cli("run", ...tiny, "--data", "mnist", "--mosaic", dir), `--mosaic: the folder ${dir} does not exist`);
    expect(existsSync(dir)).toBe(false);
  });

  it("pretrain --save and downstream --json are checked before work too", () => {
    const dir = tmp();
    expectUsage(cli("pretrain", ...tiny, "--train", "adv", "--save", join(dir, "no/e.fpe")), "--save: the folder");
    expectUsage(cli("downstream", "--encoder", join(dir, "e.fpe"), "--json", join(dir, "no/r.json")), "--json: the folder");
  });

  it("--json may not overwrite the --config or --checkpoint file", () => {
    const dir = tmp();
    const cfg = join(dir, "cfg.json");
    spawnSync("sh", ["-c", `echo '{"seed": 2}' > ${cfg}`]);
    expectUsage(cli("run", ...tiny, "--config", cfg, "--json", cfg), `--json and --config name the same file ${cfg}`);
    expect(JSON.parse(readFileSync(cfg, "utf8"))).toEqual({ seed: 2 });
    const ck = join(dir, "c.fpt");
    expectUsage(cli("run", ...tiny, "--checkpoint", ck, "--json", ck), "--json and --checkpoint name the same file");
  });
});

describe("contradictory options", () => {
  it.each([
    [["--train", "clean", "--eps", "0.3"], "--eps (adv.eps): has no effect: only the clean arm trains"],
    [["--views", "noise"], "--views (contrastive.views): has no effect: these settings belong to mode contrastive"],
    [["--threads", "2", "--backend", "scalar"], "--threads (threads): has no effect: the scalar backend runs on one thread"],
    [["--momentum", "0.5"], "--momentum (optim.momentum): has no effect: it is SGD's momentum; the optimiser is adam"],
    [["--optimizer", "sgd", "--beta2", "0.99"], "--beta2 (optim.beta2): has no effect: it is an Adam setting"],
    [
      ["--mode", "contrastive", "--view-noise", "0.1"],
      "--view-noise (contrastive.viewNoise): has no effect: it applies to views noise; views is identical",
    ],
  ])("%j: runs and warns that the option has no effect", (args, warning) => {
    const r = cli("run", ...tiny, "--steps", "2", "--eval-steps", "1", ...args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`featpure: warning: ${warning}`);
  });

  it("an option that has an effect gives no warning", () => {
    const r = cli(
      "run",
      ...tiny,
      "--steps",
      "2",
      "--eval-steps",
      "1",
      "--train",
      "adv",
      "--eps",
      "0.3",
      "--optimizer",
      "sgd",
      "--momentum",
      "0.5",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("warning");
  });

  it.each([
    [["--eps", "0x10"], '--eps (adv.eps): must be a number in [0, 100], got "0x10"'],
    [["--width", "0b101"], '--width (model.width): must be an integer in [1, 65536], got "0b101"'],
    [["--seed", "0o7"], "--seed (seed): must be an integer"],
    [["--eps-l2", "0.1,,0.2"], '--eps-l2 (eval.epsL2): must be a list of at most 64 numbers in [0, 100], got [0.1, "", 0.2]'],
    [["--eps-linf", "0x1"], "--eps-linf (eval.epsLinf): must be a list"],
    [["--checkpoint", "c.fpt", "--checkpoint-every", "0x10"], '--checkpoint-every: must be an integer in [0, 10000000], got "0x10"'],
  ])("%j: exit 2, hex and other non-decimal numerals and empty list items are refused", (args, message) => {
    expectUsage(spawnSync(process.execPath, [bin, "run", ...tiny, ...args], { encoding: "utf8", timeout: 60_000, cwd: tmp() }), message);
  });

  it("decimal numerals in every form still parse", () => {
    const dir = tmp();
    const out = join(dir, "r.json");
    const r = cli(
      "run",
      ...tiny,
      "--steps",
      "2",
      "--eval-steps",
      "1",
      "--eps",
      "+.25",
      "--lr",
      "1e-2",
      "--eps-l2",
      " 0.1 , 2E-1",
      "--json",
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(readFileSync(out, "utf8")).config;
    expect([c.adv.eps, c.optim.lr, c.eval.epsL2]).toEqual([0.25, 0.01, [0.1, 0.2]]);
  });
});

describe("output when stdout and stderr are not terminals", () => {
  it("progress comes as plain lines on stderr, phase by phase, and the run ends saying where its files went", () => {
    const dir = tmp();
    const out = join(dir, "r.json");
    const ck = join(dir, "c.fpt");
    const r = cli("run", ...tiny.filter((a) => a !== "--quiet"), "--json", out, "--checkpoint", ck);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    for (const phase of ["clean pretrain 20/20", "clean evaluate 2/2", "adv pretrain 20/20", "adv evaluate 2/2"])
      expect(lines).toContain(`featpure: ${phase}`);
    expect(r.stderr).not.toMatch(/\x1b\[/); // no terminal control codes
    expect(r.stdout).toContain(`wrote the result to ${out}`);
    expect(r.stdout).toContain(`wrote the checkpoint to ${ck}`);
  });

  it("--quiet prints no progress", () => {
    const r = cli("run", ...tiny);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
  });
});

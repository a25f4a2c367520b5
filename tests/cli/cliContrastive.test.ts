// The CLI's contrastive mode and its mode-dependent defaults, through the built dist/bin/featpure.js.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";

const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });

describe("featpure CLI, contrastive mode", () => {
  it("runs --mode contrastive and shows the contrastive configuration", () => {
    const r = cli(
      "run",
      "--mode",
      "contrastive",
      "--train",
      "adv",
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
      "0.2",
      "--eps-linf",
      "0.05",
      "--strong-steps",
      "10",
      "--strong-restarts",
      "1",
      "--views",
      "mask",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/contrastive\s*│\s*coordinate masking/);
    expect(r.stdout).toContain("thresholds fixed from 0.3, init std 0.1");
    expect(r.stdout).toContain("adv: downstream");
  });

  it("rejects bad contrastive options with exit code 2", () => {
    for (const [args, message] of [
      [["--tau", "0"], "--tau (contrastive.tau): must be a number in (0, 100]"],
      [["--views", "crop"], "--views (contrastive.views): must be one of identical, noise, dropout, mask"],
      [["--keep-prob", "1.5"], "--keep-prob (contrastive.keepProb)"],
    ] as const) {
      const r = cli("run", "--mode", "contrastive", ...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it("lists the mode defaults in featpure options", () => {
    const r = cli("options", "--markdown");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| `--threshold` \| `model\.thresholdInit` \| \[0, 100\] \| 0 \(contrastive: 0\.3\) \|/);
    expect(r.stdout).toMatch(/\| `--train-threshold` \| `model\.trainThreshold` \| true\\\|false \| true \(contrastive: false\) \|/);
    expect(r.stdout).toMatch(/\| `--init-std` \| `model\.initStd` \| \(0, 100\] \| 0\.01 \(contrastive: 0\.1\) \|/);
  });
});

// The real thing, in child processes of the built CLI: a run killed with SIGKILL at a random moment
// (while it trains, checkpoints or evaluates) and resumed, perhaps more than once, ends with a JSON
// result identical to an uninterrupted run's; Ctrl-C (SIGINT) during training stops within 2 s with
// exit code 130, a checkpoint and the command that resumes (supervised and contrastive pre-training
// alike), and during evaluation stops the same way with the arm's final checkpoint intact; malformed config, checkpoint and encoder files get exit code 2 and
// a one-line message, never a stack trace or a hang.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCheckpoint } from "../../src/io/checkpointFile.js";
import { Rng } from "../../src/rng.js";

const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;
// Long enough that a kill up to 150 ms after a checkpoint still lands before the run ends, also on an idle machine.
const STEPS = 10000;
const tiny = [
  "--train",
  "adv",
  "--dim",
  "12",
  "--width",
  "16",
  "--sparsity",
  "2",
  "--batch",
  "32",
  "--steps",
  String(STEPS),
  "--n-down",
  "200",
  "--n-eval",
  "100",
  "--eps-l2",
  "0.5",
  "--eps-linf",
  "0.05",
  "--strong-steps",
  "10",
  "--strong-restarts",
  "1",
  "--quiet",
];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the signal `act` sent to the exit; null when none was sent. */
  afterSignalMs: number | null;
}

/** Starts the CLI; `act` may signal it once `ready()` holds (polled every 5 ms). */
function start(args: string[], act?: { ready: () => boolean; delayMs: number; signal: NodeJS.Signals }): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let signalledAt: number | null = null;
    child.stderr.on("data", (d) => (stderr += d));
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    if (act) {
      const poll = setInterval(() => {
        if (!act.ready()) return;
        clearInterval(poll);
        setTimeout(() => {
          signalledAt = performance.now();
          child.kill(act.signal);
        }, act.delayMs);
      }, 5);
      child.on("exit", () => clearInterval(poll));
    }
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr, afterSignalMs: signalledAt === null ? null : performance.now() - signalledAt });
    });
  });
}

function numbers(path: string): string {
  const r = JSON.parse(readFileSync(path, "utf8"));
  return JSON.stringify({ ...r, timingsMs: null, arms: r.arms.map((a: object) => ({ ...a, timingsMs: null })) });
}

describe.each([
  ["supervised", tiny],
  ["contrastive (NT-Xent)", [...tiny, "--mode", "contrastive"]],
])("interrupting the CLI: %s pre-training", (_mode, tiny) => {
  const dir = mkdtempSync(join(tmpdir(), "featpure-resume-"));
  const uninterrupted = join(dir, "uninterrupted.json");

  it("an uninterrupted run gives the reference result", async () => {
    const r = await start(["run", ...tiny, "--json", uninterrupted]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("SIGKILL at random moments, then --resume, gives the identical result", async () => {
    const ck = join(dir, "killed.fpt");
    const out = join(dir, "killed.json");
    const random = new Rng("resume-process-test");
    const killedAt: number[] = [];
    for (let round = 0; round < 2; round++) {
      const args = ["run", ...tiny, "--checkpoint", ck, "--checkpoint-every", "50", "--json", out, ...(round > 0 ? ["--resume"] : [])];
      const before = existsSync(ck) ? readFileSync(ck) : null;
      const changed = () => existsSync(ck) && (before === null || !readFileSync(ck).equals(before));
      const r = await start(args, { ready: changed, delayMs: random.int(150), signal: "SIGKILL" });
      expect(r.signal, r.stderr).toBe("SIGKILL");
      // Whatever the moment, the checkpoint on disk is whole.
      killedAt.push(decodeCheckpoint(new Uint8Array(readFileSync(ck))).arms.adv!.step);
    }
    expect(killedAt[0]).toBeLessThan(STEPS); // killed during training, not after it
    const r = await start(["run", ...tiny, "--checkpoint", ck, "--resume", "--json", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(numbers(out)).toBe(numbers(uninterrupted));
    expect(readdirSync(dir).filter((f) => f.startsWith("killed.fpt.tmp-"))).toEqual([]); // a kill mid-write leaves one; resuming removes it
  });

  it("SIGINT stops cleanly with exit code 130, a checkpoint and the resume command; resuming gives the identical result", async () => {
    const ck = join(dir, "ctrl-c.fpt");
    const out = join(dir, "ctrl-c.json");
    const r = await start(["run", ...tiny, "--checkpoint", ck, "--checkpoint-every", "1000", "--json", out], {
      ready: () => existsSync(ck),
      delayMs: 20,
      signal: "SIGINT",
    });
    expect(r.code).toBe(130);
    expect(r.afterSignalMs).toBeLessThan(2000);
    const step = decodeCheckpoint(new Uint8Array(readFileSync(ck))).arms.adv!.step;
    expect(step).toBeGreaterThan(1000); // written at the interrupt, not only at the interval
    expect(r.stderr.trim()).toBe(
      `featpure: interrupted; the checkpoint ${ck} holds arm adv at step ${step}; resume with: featpure run --checkpoint ${ck} --resume --json ${out}`,
    );
    expect(existsSync(out)).toBe(false);
    const resumed = await start(["run", "--checkpoint", ck, "--resume", "--json", out, "--quiet"]); // the configuration comes from the checkpoint
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(numbers(out)).toBe(numbers(uninterrupted));
    expect(readdirSync(dir).filter((f) => f.startsWith("ctrl-c."))).toEqual(["ctrl-c.fpt", "ctrl-c.json"]);
  });
});

describe("Ctrl-C during evaluation", () => {
  const dir = mkdtempSync(join(tmpdir(), "featpure-eval-int-"));
  // Short training, long evaluation: the interrupt lands in the attack phase.
  const args = [
    "run",
    "--train",
    "adv",
    "--dim",
    "12",
    "--width",
    "16",
    "--sparsity",
    "2",
    "--batch",
    "32",
    "--steps",
    "200",
    "--n-down",
    "200",
    "--n-eval",
    "2000",
    "--eps-l2",
    "0.5",
    "--eps-linf",
    "0.05",
    "--strong-steps",
    "200",
    "--strong-restarts",
    "2",
    "--quiet",
  ];

  it("stops cleanly within the evaluation, keeping the arm's final checkpoint; resuming repeats only the evaluation", async () => {
    const reference = join(dir, "reference.json");
    expect((await start([...args, "--json", reference])).code).toBe(0);
    const ck = join(dir, "eval.fpt");
    const out = join(dir, "eval.json");
    const trained = () => existsSync(ck) && decodeCheckpoint(new Uint8Array(readFileSync(ck))).arms.adv!.step === 200;
    const r = await start([...args, "--checkpoint", ck, "--checkpoint-every", "50", "--json", out], {
      ready: trained,
      delayMs: 50,
      signal: "SIGINT",
    });
    expect(r.code, r.stderr).toBe(130); // a clean stop, not the default action of SIGINT
    expect(r.stderr).toContain(
      `interrupted; the checkpoint ${ck} holds arm adv at step 200; resume with: featpure run --checkpoint ${ck} --resume`,
    );
    expect(existsSync(out)).toBe(false);
    const resumed = await start(["run", "--checkpoint", ck, "--resume", "--json", out, "--quiet"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(numbers(out)).toBe(numbers(reference));
  });
});

describe("malformed input files through the CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "featpure-fuzz-"));
  const small = [
    "--dim",
    "6",
    "--width",
    "4",
    "--sparsity",
    "1",
    "--steps",
    "4",
    "--batch",
    "8",
    "--n-down",
    "20",
    "--n-eval",
    "10",
    "--eps-l2",
    "0.5",
    "--eps-linf",
    "0.05",
    "--strong-steps",
    "2",
    "--strong-restarts",
    "1",
    "--eval-steps",
    "2",
    "--quiet",
    "--train",
    "adv",
  ];
  const enc = join(dir, "enc.fpt");
  const ck = join(dir, "ck.fpt");

  function cli(args: string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 30_000 });
    return { code: r.status, stderr: r.stderr };
  }
  function expectUsageError(r: { code: number | null; stderr: string }, what: string) {
    expect(r.code, `${what}: ${r.stderr}`).toBe(2);
    expect(r.stderr, what).toMatch(/^featpure: /);
    expect(r.stderr, what).not.toMatch(/\n\s+at /);
  }

  it("makes the files to damage", () => {
    expect(cli(["pretrain", ...small, "--save", enc]).code).toBe(0);
    expect(cli(["run", ...small, "--checkpoint", ck, "--checkpoint-every", "2"]).code).toBe(0);
  });

  it("damaged encoder and checkpoint files: exit code 2 with the failed check", () => {
    const damage = (bytes: Buffer) =>
      fc.oneof(
        fc.record({ at: fc.nat(bytes.length - 1), mask: fc.integer({ min: 1, max: 255 }) }).map(({ at, mask }) => {
          const b = Buffer.from(bytes);
          b[at] ^= mask;
          return b;
        }),
        fc.nat(bytes.length - 1).map((n) => bytes.subarray(0, n)),
      );
    const cases = [
      ...fc.sample(damage(readFileSync(enc)), { numRuns: 3, seed: 1 }).map((b) => ["downstream", "--encoder", b] as const),
      ...fc.sample(damage(readFileSync(ck)), { numRuns: 3, seed: 2 }).map((b) => ["run", "--checkpoint", b] as const),
    ];
    cases.forEach(([command, flag, bytes], i) => {
      const file = join(dir, `damaged-${i}.fpt`);
      writeFileSync(file, bytes);
      const r = cli([command, flag, file, ...(command === "run" ? ["--resume"] : [])]);
      expectUsageError(r, `${command} ${flag} damaged-${i}`);
      expect(r.stderr).toMatch(/checksum mismatch|truncated file|not a featpure file|newer format|wrong size|bad /);
    });
  });

  it("malformed config files: exit code 2 naming the file", () => {
    const texts = [
      ...fc.sample(fc.string({ maxLength: 40 }), { numRuns: 2, seed: 3 }),
      ...fc.sample(
        fc.jsonValue().map((v) => JSON.stringify({ model: v, optim: { steps: v } })),
        { numRuns: 2, seed: 4 },
      ),
      '{"data": {"dim": 1e400}}',
      "[1, 2, 3]",
      '{"eval": {"epsL2": [0.1, -0.2]}}',
    ];
    texts.forEach((text, i) => {
      const file = join(dir, `config-${i}.json`);
      writeFileSync(file, text);
      const r = cli(["run", "--config", file]);
      expectUsageError(r, `config ${JSON.stringify(text)}`);
      expect(r.stderr).toContain(file);
    });
  });
});

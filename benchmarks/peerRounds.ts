// The peers section: featpure's settings and every peer setting take turns on the same workloads,
// round by round (the order rotating), so that all of them meet the same spells of a shared machine;
// each peer's numbers are checked against featpure's first. The summary quotes each peer family at its
// best correct setting against featpure's best, as a ratio of medians with the spread of the per-round
// ratios.
import { compareChecks, type Agreement } from "./agreement.js";
import { STEP_KINDS, type Contender, type StepKind, type Task } from "./peers/contender.js";
import type { PeerSettings } from "./peers/torch.js";
import { median } from "./timing.js";
import { l2Start, type StepShape } from "./workload.js";
import { Rng } from "../src/rng.js";

/** One setting's timings on one task: per step kind, the per-round wall and CPU ms per step. */
export interface PeerRow {
  family: string;
  label: string;
  task: Task;
  shape: StepShape;
  threads: number;
  settings: PeerSettings | null;
  /** featpure's rows: null (they are the reference). */
  agreement: Agreement | null;
  /** Median wall and CPU ms per step, and the rounds they come from. */
  clean: { ms: number; cpuMs: number; rounds: number[]; steps: number };
  adversarial: { ms: number; cpuMs: number; rounds: number[]; steps: number };
}

export interface SummaryRow {
  task: Task;
  kind: StepKind;
  /** "best": the family's fastest correct setting against featpure's fastest; "one thread": both on one thread. */
  match: "best" | "one thread";
  peer: string;
  /** The peer's setting (label) and featpure's. */
  peerSetting: string;
  featpureSetting: string;
  peerMs: number;
  featpureMs: number;
  /** peerMs / featpureMs: how many times faster featpure ran (medians of wall ms per step over the paired rounds). */
  ratio: number;
  /** Smallest and largest per-round ratio. */
  spread: [number, number];
  rounds: number;
  note?: string;
}

export interface PeerSummary {
  /** Wall time: every setting's medians are over the same rounds, taken in turn. */
  measure: "wall ms per step, median over paired rounds";
  rows: SummaryRow[];
}

const byMedian = (k: StepKind) => (a: PeerRow, b: PeerRow) => a[k].ms - b[k].ms;

/** Rounds of `contenders` on `task`; the first contender is featpure's reference for the checks. */
export async function peerRounds(
  contenders: Contender[],
  task: Task,
  shape: StepShape,
  eps: number,
  rounds: number,
  budgetMs: number,
  log: (s: string) => void,
): Promise<PeerRow[]> {
  const here = contenders.filter((c) => c.tasks.includes(task));
  for (const c of here) await c.load(task);
  const delta = l2Start(shape.B, shape.d, eps, new Rng("peer check"));
  const reference = await here[0].check(delta);
  const rows: PeerRow[] = [];
  for (const c of here) {
    const agreement = c.family === "featpure" ? null : compareChecks(await c.check(delta), reference);
    if (agreement && !agreement.ok)
      log(`${c.label}: ${task} results differ from featpure's (worst relative error ${agreement.worst.toExponential(1)})`);
    rows.push({
      family: c.family,
      label: c.label,
      task,
      shape,
      threads: c.threads,
      settings: c.settings,
      agreement,
      clean: { ms: 0, cpuMs: 0, rounds: [], steps: 0 },
      adversarial: { ms: 0, cpuMs: 0, rounds: [], steps: 0 },
    });
  }
  for (const kind of STEP_KINDS) {
    log(`peers: ${task} ${kind} step, ${here.length} settings taking turns, ${rounds} rounds`);
    // Warm-up, which also sizes each setting's share of a round to about budgetMs.
    const steps: number[] = [];
    for (const c of here) {
      await c.time(kind, 1);
      const t = await c.time(kind, 2);
      steps.push(Math.max(1, Math.min(30, Math.round(budgetMs / t.ms))));
    }
    const wall: number[][] = here.map(() => []),
      cpu: number[][] = here.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < here.length; k++) {
        const i = (k + r) % here.length;
        const t = await here[i].time(kind, steps[i]);
        wall[i].push(t.ms);
        cpu[i].push(t.cpuMs);
      }
    }
    rows.forEach((row, i) => {
      row[kind] = { ms: median(wall[i]), cpuMs: median(cpu[i]), rounds: wall[i], steps: steps[i] };
    });
  }
  return rows;
}

function compare(task: Task, kind: StepKind, match: SummaryRow["match"], peer: PeerRow, mine: PeerRow, note?: string): SummaryRow {
  const ratios = peer[kind].rounds.map((t, r) => t / mine[kind].rounds[r]);
  return {
    task,
    kind,
    match,
    peer: peer.family,
    peerSetting: peer.label,
    featpureSetting: mine.label,
    peerMs: peer[kind].ms,
    featpureMs: mine[kind].ms,
    ratio: peer[kind].ms / mine[kind].ms,
    spread: [Math.min(...ratios), Math.max(...ratios)],
    rounds: ratios.length,
    ...(note ? { note } : {}),
  };
}

/** Why a family's best setting may not be its best possible: settings it could not use here. */
function familyNote(rows: PeerRow[]): string | undefined {
  const notes: string[] = [];
  const wrong = rows.filter((r) => r.agreement && !r.agreement.ok);
  if (wrong.length)
    notes.push(
      `excluded for results that differ from featpure's: ${wrong.map((r) => `${r.label} (${r.agreement!.worst.toExponential(1)})`).join("; ")}`,
    );
  const s = rows[0].settings;
  if (s?.simd === false) notes.push("no SIMD build: this runtime does not validate WASM SIMD");
  if (s && s.wasmThreads === false)
    notes.push("one thread: tfjs-backend-wasm disables its threads build under Node (tensorflow/tfjs#3830)");
  return notes.length ? notes.join("; ") : undefined;
}

/** Each peer family at its best correct setting against featpure's best, per task and step kind; PyTorch on one thread against featpure on one too. */
export function summarize(rows: PeerRow[]): PeerSummary {
  const out: SummaryRow[] = [];
  for (const task of [...new Set(rows.map((r) => r.task))]) {
    const mine = rows.filter((r) => r.task === task && r.family === "featpure");
    const families = [...new Set(rows.filter((r) => r.task === task && r.family !== "featpure").map((r) => r.family))];
    for (const kind of STEP_KINDS) {
      const bestMine = [...mine].sort(byMedian(kind))[0];
      const mine1 = mine.filter((r) => r.threads === 1).sort(byMedian(kind))[0];
      for (const family of families) {
        const all = rows.filter((r) => r.task === task && r.family === family);
        const ok = all.filter((r) => r.agreement?.ok).sort(byMedian(kind));
        const note = familyNote(all);
        if (!ok.length) {
          out.push({
            task,
            kind,
            match: "best",
            peer: family,
            peerSetting: "",
            featpureSetting: bestMine.label,
            peerMs: NaN,
            featpureMs: bestMine[kind].ms,
            ratio: NaN,
            spread: [NaN, NaN],
            rounds: 0,
            note: note ?? "no setting gave featpure's results",
          });
          continue;
        }
        out.push(compare(task, kind, "best", ok[0], bestMine, note));
        const ok1 = ok.filter((r) => r.threads === 1);
        // For families that also ran on more threads, and only where it is another comparison than the one above.
        if (ok1.length && mine1 && all.some((r) => r.threads > 1) && (ok1[0] !== ok[0] || mine1 !== bestMine))
          out.push(compare(task, kind, "one thread", ok1[0], mine1));
      }
    }
  }
  return { measure: "wall ms per step, median over paired rounds", rows: out };
}

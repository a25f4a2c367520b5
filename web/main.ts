// The demo page: a settings form built from the schema and mirrored in the URL, a worker that runs
// the experiment, the plots it feeds, and results that always carry the config that produced them.
import {
  ConfigError,
  ineffectiveOptions,
  resolveBackend,
  resolveConfig,
  VERSION,
  type Arm,
  type Config,
  type ExperimentResult,
  type Progress,
  type Snapshot,
} from "../src/api.js";
import { barChart, drawHeatmap, heatmapSummary, lineChart, pngOf, svgText, type Series } from "./plots.js";
import { PRESETS } from "./presets.js";
import { ProgressModel } from "./progress.js";
import type { RunRequest, WorkerMessage } from "./protocol.js";
import { csvOf, fmt, spreadRows, summaryRows } from "./tables.js";
import {
  allFlags,
  changedFlags,
  checkPairs,
  cliCommand,
  differingFlags,
  fileStem,
  flagIssues,
  flagOf,
  flagSpec,
  formatValue,
  FORM_FLAGS,
  PAGE_PRESET,
  queryFromConfig,
  valueAt,
  type FlagIssue,
} from "./settings.js";

const ARMS: Record<Arm, { label: string; colour: string }> = {
  clean: { label: "clean", colour: "#3a6ea5" },
  adv: { label: "adversarial", colour: "#c8413b" },
};

function $<T extends Element>(selector: string): T {
  const e = document.querySelector<T>(selector);
  if (!e) throw new Error(`page is missing ${selector}`);
  return e;
}

const form = $<HTMLFormElement>("#settings");
const runButton = $<HTMLButtonElement>("#run");
const stopButton = $<HTMLButtonElement>("#stop");
const progressBar = $<HTMLProgressElement>("#progress");
const status = $<HTMLElement>("#status");
const announce = $<HTMLElement>("#announce");
const results = $<HTMLElement>("#results");
const seedsInput = $<HTMLInputElement>("#seeds");
const isolated = globalThis.crossOriginIsolated === true;

/** The visitor's settings as flag -> text, like a command line: a mode's defaults apply under them, never as settings. */
let explicit = new Map<string, string>();
/** The settings' configuration, or null while any setting is bad. */
let config: Config | null = null;
/** The last configuration that resolved, for the fields the visitor has not set. */
let lastGood: Config = resolveConfig(PAGE_PRESET);
let issues: FlagIssue[] = [];
let backend: string | null = null;

interface Shown {
  result: ExperimentResult;
  /** "example" for the precomputed run shown on arrival. */
  kind: "example" | "run";
  seeds: ExperimentResult[];
}
let shown: Shown | null = null;
const kept: ExperimentResult[] = [];

interface Active {
  config: Config;
  seeds: number;
  done: ExperimentResult[];
  model: ProgressModel;
  stopping: boolean;
  stopTimer?: ReturnType<typeof setTimeout>;
  lastAnnounced: string;
}
let active: Active | null = null;
let worker: Worker | null = null;
let stopFlag: Int32Array | null = null;
let pending: Progress | null = null;

// ---- settings ------------------------------------------------------------------------------------

function fieldFor(flag: string): HTMLLabelElement {
  const { spec } = flagSpec(flag);
  const label = document.createElement("label");
  label.title = spec.doc;
  label.append(flag);
  let input: HTMLInputElement | HTMLSelectElement;
  if (spec.kind === "enum" || spec.kind === "bool") {
    input = document.createElement("select");
    for (const v of spec.kind === "enum" ? spec.values : ["true", "false"]) input.append(new Option(v, v));
  } else {
    input = document.createElement("input");
    // Text, not number: a number input hides what was typed when it is not a number, and the field must show a bad link's value.
    input.type = "text";
    input.inputMode = spec.kind === "int" ? "numeric" : "decimal";
  }
  input.name = flag;
  label.append(input);
  return label;
}

function buildForm(): void {
  const main = $<HTMLElement>("#fields");
  const more = $<HTMLElement>("#more-fields");
  // Threads only where the page can start them: without cross-origin isolation there is no shared memory.
  const first = isolated ? [...FORM_FLAGS, "threads"] : FORM_FLAGS;
  for (const flag of first) main.append(fieldFor(flag));
  for (const flag of allFlags()) if (!first.includes(flag) && flag !== "threads") more.append(fieldFor(flag));
}

function input(flag: string): HTMLInputElement | HTMLSelectElement | null {
  return form.elements.namedItem(flag) as HTMLInputElement | HTMLSelectElement | null;
}

/** Resolves the settings; shows each bad one in its field; the URL and command line follow a good config only. */
function evaluate(): void {
  const checked = checkPairs(explicit);
  issues = checked.issues;
  config = null;
  try {
    const cfg = resolveConfig(checked.layer);
    lastGood = cfg;
    if (issues.length === 0) config = cfg;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues = [...issues, ...flagIssues(err)];
  }
  const focused = document.activeElement;
  for (const flag of allFlags()) {
    const el = input(flag);
    if (!el) continue;
    if (el !== focused) el.value = explicit.get(flag) ?? formatValue(flagSpec(flag).spec, valueAt(lastGood, flagSpec(flag).path));
    el.classList.toggle(
      "invalid",
      issues.some((i) => i.flag === flag),
    );
  }
  $("#errors").textContent = issues.map((i) => `${i.flag}: ${i.message}`).join("\n");
  // What the CLI warns about: settings that cannot change this run's result.
  $("#warnings").textContent = config
    ? ineffectiveOptions(checked.layer, config)
        .map((i) => `${flagOf(i.path)} ${i.message}`)
        .join("\n")
    : "";
  if (issues.some((i) => $("#more-fields").contains(input(i.flag)))) $<HTMLDetailsElement>("#more").open = true;
  const seeds = seedCount();
  if (backend === null) {
    // Nothing is written until the backend is known: a link always names it.
  } else if (config) {
    const q = queryFromConfig(config);
    if (seeds > 1) q.set("seeds", String(seeds));
    history.replaceState(null, "", `?${q}`);
    const cmd = cliCommand(config);
    $("#cli").textContent =
      seeds > 1
        ? `for s in ${seedList(config.seed, seeds).join(" ")}; do ${cmd.replace(/--seed \d+ ?/, "")} --seed $s --json seed$s.json; done`
        : cmd;
  } else {
    // A bad link stays as it came, so the visitor sees what to fix.
    history.replaceState(null, "", `?${new URLSearchParams([...explicit])}`);
    $("#cli").textContent = "(fix the settings marked in red first)";
  }
  $("#log-every").textContent = String(lastGood.logEvery);
  updateButtons();
  updateStale();
}

function seedCount(): number {
  const n = Number(seedsInput.value);
  return Number.isInteger(n) && n >= 1 && n <= 10 ? n : 1;
}

function seedList(first: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => first + k);
}

function updateButtons(): void {
  runButton.disabled = active !== null || config === null || backend === null;
  stopButton.disabled = active === null || active.stopping;
}

/** Takes a query's settings. */
function loadQuery(query: URLSearchParams): void {
  const pairs = [...query.entries()].filter(([k]) => k !== "seeds");
  seedsInput.value = query.get("seeds") ?? "1";
  const checked = checkPairs(pairs);
  let cfg: Config | null = null;
  if (checked.issues.length === 0) {
    try {
      cfg = resolveConfig(pairs.length ? checked.layer : PAGE_PRESET);
    } catch {
      cfg = null;
    }
  }
  // A good link is read as the CLI would print it; a bad one is kept as it is.
  explicit = new Map(cfg ? changedFlags(cfg) : pairs);
  // "auto" is the runtime's pick: pinned to it, so the link names the build that computed it.
  if (backend && explicit.get("backend") === "auto") explicit.set("backend", backend);
  evaluate();
}

function onFormInput(e: Event): void {
  const el = e.target as HTMLInputElement | HTMLSelectElement;
  if (el === seedsInput) {
    evaluate();
    return;
  }
  if (!el.name || !allFlags().includes(el.name)) return;
  explicit.set(el.name, el.name === "backend" && el.value === "auto" && backend ? backend : el.value);
  evaluate();
}

// ---- running -------------------------------------------------------------------------------------

function setState(state: "running" | "done" | "idle"): void {
  results.dataset.state = state;
}

function threadsOf(cfg: Config): number {
  // The engine's rule (src/engine/wasm.ts): threads need shared memory and a SIMD build; 0 is one per core, at most 8.
  if (!isolated || cfg.backend === "scalar") return 1;
  return cfg.threads === 0 ? Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1)) : cfg.threads;
}

function say(text: string): void {
  if (announce.textContent !== text) announce.textContent = text;
}

function phaseText(p: Progress): string {
  return p.phase === "pretrain"
    ? `pre-training step ${p.done}/${p.total}`
    : p.phase === "downstream"
      ? "fitting the downstream head"
      : "attacking (robust accuracy)";
}

function showProgress(): void {
  if (!active || !pending) return;
  const p = pending;
  const now = performance.now();
  active.model.update(p, now);
  const f = active.model.fraction(now);
  const left = active.model.secondsLeft(now);
  const seedPart =
    active.seeds > 1 ? `seed ${active.config.seed + active.done.length} (${active.done.length + 1} of ${active.seeds}), ` : "";
  progressBar.value = (active.done.length + f) / active.seeds;
  const pct = Math.round(progressBar.value * 100);
  const eta = left === null ? "" : `, about ${Math.ceil(left)} s left`;
  progressBar.setAttribute("aria-valuetext", `${pct} %${eta}`);
  status.textContent = `${seedPart}${ARMS[p.arm].label} arm: ${phaseText(p)} · ${pct} %${eta}`;
  // Screen readers hear each phase once, not every step.
  const phase = `${seedPart}${ARMS[p.arm].label} arm: ${p.phase === "pretrain" ? "pre-training" : phaseText(p)}`;
  if (phase !== active.lastAnnounced) {
    active.lastAnnounced = phase;
    say(phase);
  }
}

function tick(): void {
  if (!active) return;
  if (pending) showProgress();
  setTimeout(() => requestAnimationFrame(tick), 100);
}

function drawSnapshot(s: Snapshot): void {
  const fig = $<HTMLElement>(`figure[data-arm="${s.arm}"]`);
  const canvas = fig.querySelector("canvas")!;
  drawHeatmap(canvas, s);
  canvas.setAttribute("aria-label", `${ARMS[s.arm].label} arm, step ${s.step}: ${heatmapSummary(s)}`);
  fig.querySelector(".step")!.textContent = `· step ${s.step}`;
}

function onMessage(m: WorkerMessage): void {
  if (!active) return;
  switch (m.type) {
    case "progress":
      pending = m.progress;
      break;
    case "snapshot":
      drawSnapshot(m.snapshot);
      break;
    case "done": {
      active.done.push(m.result);
      if (active.done.length < active.seeds) {
        startOne();
        break;
      }
      const run = active;
      show({ result: run.done[0], kind: "run", seeds: run.done });
      const secs = ((performance.now() - run.model.startedAt) / 1000).toFixed(1);
      const n = threadsOf(run.config);
      const warning = m.result.backendWarning ? ` (${m.result.backendWarning})` : "";
      finish(
        `Done in ${secs} s on the ${m.result.backend} backend${warning}, ${n} kernel thread${n === 1 ? "" : "s"}${run.seeds > 1 ? `, ${run.seeds} seeds` : ""}.`,
      );
      break;
    }
    case "stopped":
      finish("Stopped.");
      break;
    case "error":
      finish(`Failed: ${m.message}`);
      break;
  }
}

function finish(message: string): void {
  if (active) clearTimeout(active.stopTimer);
  active = null;
  pending = null;
  if (shown?.kind === "run" && message.startsWith("Done")) progressBar.value = 1;
  progressBar.setAttribute("aria-valuetext", `${Math.round(progressBar.value * 100)} %: ${message}`);
  setState(shown?.kind === "run" ? "done" : "idle");
  status.textContent = message;
  say(message);
  updateButtons();
}

function startOne(): void {
  const run = active!;
  const cfg = { ...run.config, seed: run.config.seed + run.done.length };
  for (const s of document.querySelectorAll("figure .step")) s.textContent = "";
  run.model = new ProgressModel(cfg, performance.now(), run.model.startedAt);
  worker!.postMessage({ config: cfg, stop: (stopFlag?.buffer as SharedArrayBuffer | null) ?? null } satisfies RunRequest);
}

function run(): void {
  if (!config || active) return;
  worker ??= new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => onMessage(e.data);
  worker.onerror = (e) => finish(`Failed: ${e.message}`);
  stopFlag = isolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
  active = {
    config,
    seeds: seedCount(),
    done: [],
    model: new ProgressModel(config, performance.now()),
    stopping: false,
    lastAnnounced: "",
  };
  progressBar.value = 0;
  setState("running");
  status.textContent = "Starting…";
  say("Run started.");
  updateButtons();
  startOne();
  tick();
}

function stop(): void {
  if (!active || active.stopping) return;
  const run = active;
  run.stopping = true;
  updateButtons();
  if (stopFlag) Atomics.store(stopFlag, 0, 1);
  // The flag is read between training steps only: a worker busy attacking is ended instead.
  run.stopTimer = setTimeout(
    () => {
      if (active !== run) return;
      worker?.terminate();
      worker = null;
      finish("Stopped (worker ended).");
    },
    stopFlag ? 1000 : 0,
  );
}

// ---- results -------------------------------------------------------------------------------------

function linkOf(cfg: Config): string {
  return `${location.origin}${location.pathname}?${queryFromConfig(cfg)}`;
}

function show(s: Shown): void {
  shown = s;
  const r = s.result;
  $("#shown-what").textContent =
    s.kind === "example"
      ? "Example: the default run, computed in advance."
      : s.seeds.length > 1
        ? `Your run, ${s.seeds.length} seeds (figures: seed ${r.config.seed}).`
        : "Your run.";
  $("#shown-note").textContent =
    s.kind === "example" ? "Press Run to compute it yourself (it gives these numbers, bit for bit), or pick a claim above." : "";
  $<HTMLAnchorElement>("#result-link").href = linkOf(r.config);
  $("#result-cli").textContent = cliCommand(r.config);
  for (const b of ["#download", "#download-csv", "#copy-link", "#keep"]) $<HTMLButtonElement>(b).disabled = false;
  for (const fig of document.querySelectorAll<HTMLElement>("figure[data-arm]")) fig.hidden = !r.arms.some((a) => a.arm === fig.dataset.arm);
  renderResult(r);
  renderSpread(s.seeds);
  updateStale();
  setState("done");
}

function updateStale(): void {
  const note = $<HTMLElement>("#stale");
  if (!shown || !config) {
    note.hidden = true;
    return;
  }
  const diff = differingFlags(shown.result.config, config);
  note.hidden = diff.length === 0;
  note.textContent = `The settings above differ from these results' in ${diff.map((f) => `--${f}`).join(", ")}; Run to compute them.`;
}

function renderAccuracy(r: ExperimentResult): void {
  const norm = $<HTMLSelectElement>("#eval-norm").value;
  const grid = r.arms[0].pretrained.grid.filter((g) => g.norm === norm);
  const xs = [0, ...grid.map((g) => g.eps)];
  for (const model of ["pretrained", "downstream"] as const) {
    const series: Series[] = r.arms.map((a) => ({
      label: ARMS[a.arm].label,
      colour: ARMS[a.arm].colour,
      values: [a[model].clean, ...a[model].grid.filter((g) => g.norm === norm).map((g) => g.accuracy)],
    }));
    const title = model === "pretrained" ? "pre-trained network" : "downstream: clean-trained head on frozen features";
    lineChart($<SVGSVGElement>(`#acc-${model}`), xs, series, title, `${norm} eps of the PGD-${r.config.eval.steps} attack`);
  }
}

function renderResult(r: ExperimentResult): void {
  renderAccuracy(r);
  // Real data has no dictionary to measure purity against: then there is no histogram to draw.
  const purities = r.arms.flatMap((a) => (a.purity ? [{ arm: a.arm, purity: a.purity }] : []));
  const bins = purities[0]?.purity.histogram.length ?? 0;
  const categories = Array.from({ length: bins }, (_, k) => (k === bins - 1 ? `${bins}+` : String(k + 1)));
  barChart(
    $<SVGSVGElement>("#histogram"),
    categories,
    purities.map((a) => ({ label: ARMS[a.arm].label, colour: ARMS[a.arm].colour, values: a.purity.histogram })),
    "significant features per live neuron",
    "features with |c| ≥ half the neuron's top",
    "neurons",
  );
  fillTable($<HTMLTableElement>("#summary"), ["", ...r.arms.map((a) => ARMS[a.arm].label)], summaryRows(r));
  $("#expected").textContent = expectedText(r);
}

/** What the default run gives (from the example), and this run's headline beside it. */
function expectedText(r: ExperimentResult): string {
  const arm = (res: ExperimentResult | undefined, a: Arm) => res?.arms.find((x) => x.arm === a);
  const ex = example?.result;
  const [c, a] = [arm(ex, "clean"), arm(ex, "adv")];
  if (!ex || !c?.purity || !a?.purity) return "";
  const h = c.downstream.headline;
  const mine = [arm(r, "clean"), arm(r, "adv")];
  return (
    `Expected from the default run (seed ${ex.config.seed}): top-1 purity ${c.purity.top1.mean.toFixed(2)} after clean and ${a.purity.top1.mean.toFixed(2)} after ` +
    `adversarial pre-training; downstream accuracy at ${h.norm} eps ${h.eps}, ${c.downstream.headline.accuracy.toFixed(2)} against ${a.downstream.headline.accuracy.toFixed(2)}: ` +
    "the clean-trained head is robust only on purified features." +
    (r !== ex && mine[0] && mine[1]
      ? ` This run: ${mine[0].downstream.headline.accuracy.toFixed(2)} against ${mine[1].downstream.headline.accuracy.toFixed(2)} at ${mine[0].downstream.headline.norm} eps ${mine[0].downstream.headline.eps}.`
      : "")
  );
}

function fillTable(table: HTMLTableElement, head: string[], rows: { cells: string[]; marked?: boolean; title?: string }[]): void {
  table.replaceChildren();
  const tr = (cells: string[], tag: "th" | "td", marked = false, title = "") => {
    const row = table.insertRow();
    if (marked) row.className = "marked";
    if (title) row.title = title;
    cells.forEach((c, k) =>
      row.append(
        Object.assign(document.createElement(k === 0 || tag === "th" ? "th" : "td"), {
          textContent: c,
          ...(k === 0 && tag === "td" ? { scope: "row" } : {}),
        }),
      ),
    );
  };
  tr(head, "th");
  for (const r of rows) tr(r.cells, "td", r.marked, r.title);
}

function renderSpread(seeds: ExperimentResult[]): void {
  $<HTMLElement>("#spread").hidden = seeds.length < 2;
  if (seeds.length < 2) return;
  fillTable($<HTMLTableElement>("#spread-table"), ["", ...seeds[0].arms.map((a) => ARMS[a.arm].label)], spreadRows(seeds));
}

function renderCompare(): void {
  $<HTMLElement>("#compare").hidden = kept.length === 0;
  if (kept.length === 0) return;
  const differs = new Set(kept.flatMap((r) => kept.flatMap((o) => differingFlags(r.config, o.config))));
  const settings = [...differs].map((flag) => ({
    cells: [`--${flag}`, ...kept.map((r) => formatValue(flagSpec(flag).spec, valueAt(r.config, flagSpec(flag).path)))],
    marked: true,
  }));
  const metric = (name: string, pick: (r: ExperimentResult, arm: Arm) => number | null | undefined) =>
    (["clean", "adv"] as Arm[]).map((arm) => ({
      cells: [`${ARMS[arm].label}: ${name}`, ...kept.map((r) => fmt(r.arms.some((a) => a.arm === arm) ? pick(r, arm) : null))],
    }));
  const arm = (r: ExperimentResult, a: Arm) => r.arms.find((x) => x.arm === a)!;
  const rows = [
    ...settings,
    ...metric("top-1 purity", (r, a) => arm(r, a).purity?.top1.mean),
    ...metric("downstream clean", (r, a) => arm(r, a).downstream.clean),
    ...metric("downstream robust", (r, a) => arm(r, a).downstream.headline.accuracy),
    ...metric("downstream strong check", (r, a) => arm(r, a).downstream.headline.strongAccuracy),
    ...metric("downstream transfer", (r, a) => arm(r, a).downstream.headline.transferAccuracy),
  ];
  fillTable($<HTMLTableElement>("#compare-table"), ["", ...kept.map((_, k) => `run ${k + 1}`)], rows);
}

// ---- export --------------------------------------------------------------------------------------

function save(name: string, blob: Blob): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function stem(): string {
  return fileStem(shown!.result.config);
}

async function exportFigure(fig: string, format: string): Promise<void> {
  if (!shown) return;
  const name = `${stem()}-${fig}.${format}`;
  if (fig === "clean" || fig === "adv") {
    const canvas = $<HTMLCanvasElement>(`figure[data-arm="${fig}"] canvas`);
    canvas.toBlob((b) => b && save(name, b), "image/png");
    return;
  }
  const svg = $<SVGSVGElement>(`#${fig}`);
  save(name, format === "svg" ? new Blob([svgText(svg)], { type: "image/svg+xml" }) : await pngOf(svg, 2));
}

function copyLink(): void {
  if (!shown) return;
  const link = linkOf(shown.result.config);
  navigator.clipboard.writeText(link).then(
    () => (status.textContent = "Link copied."),
    () => (status.textContent = `Copy this link: ${link}`),
  );
}

// ---- start ---------------------------------------------------------------------------------------

function buildPresets(): void {
  const box = $<HTMLElement>("#presets");
  for (const p of PRESETS) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "preset";
    b.dataset.preset = p.id;
    b.append(
      Object.assign(document.createElement("b"), { textContent: p.title }),
      Object.assign(document.createElement("span"), { textContent: p.claim }),
    );
    b.addEventListener("click", () => {
      loadQuery(new URLSearchParams(p.query));
      status.textContent = `Preset "${p.title}" set; press Run.`;
    });
    box.append(b);
  }
}

/** The precomputed default run (web/public/example.json, written by web/screenshot.mjs from a real run). */
interface Example {
  result: ExperimentResult;
  heatmaps: { arm: Arm; step: number; m: number; D: number; data: string }[];
}
let example: Example | null = null;

buildPresets();
buildForm();
loadQuery(new URLSearchParams(location.search));
setState("idle");
fetch(new URL("./example.json", location.href))
  .then((res) => (res.ok ? (res.json() as Promise<Example>) : null))
  .then((ex) => {
    example = ex;
    if (!ex || shown) return;
    show({ result: ex.result, kind: "example", seeds: [] });
    for (const h of ex.heatmaps) drawSnapshot({ ...h, coefficients: decodeHeatmap(h.data) });
    setState("idle");
  })
  .catch(() => undefined);
form.addEventListener("input", onFormInput);
form.addEventListener("submit", (e) => {
  e.preventDefault();
  run();
});
stopButton.addEventListener("click", stop);
$("#download").addEventListener(
  "click",
  () => shown && save(`${stem()}.json`, new Blob([JSON.stringify(shown.result, null, 2)], { type: "application/json" })),
);
$("#download-csv").addEventListener(
  "click",
  () =>
    shown &&
    save(
      `${stem()}${shown.seeds.length > 1 ? `-${shown.seeds.length}seeds` : ""}.csv`,
      new Blob([csvOf(shown.seeds.length > 1 ? shown.seeds : [shown.result])], { type: "text/csv" }),
    ),
);
$("#copy-link").addEventListener("click", copyLink);
$("#keep").addEventListener("click", () => {
  if (shown && !kept.includes(shown.result)) kept.push(shown.result);
  renderCompare();
});
$("#compare-clear").addEventListener("click", () => {
  kept.length = 0;
  renderCompare();
});
for (const b of document.querySelectorAll<HTMLButtonElement>(".fig-export"))
  b.addEventListener("click", () => void exportFigure(b.dataset.fig!, b.dataset.format!));
$("#eval-norm").addEventListener("change", () => shown && renderAccuracy(shown.result));
$<HTMLSelectElement>("#eval-norm").value = lastGood.eval.radiusNorm;

function decodeHeatmap(b64: string): Float32Array {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return Float32Array.from(bytes, (v) => v / 255);
}

// The kernel build this browser runs for the default (relaxed SIMD, or SIMD with a warning where it lacks it).
resolveBackend("relaxed").then(
  ({ backend: b, warning }) => {
    backend = b;
    if (explicit.get("backend") === "auto") explicit.set("backend", b);
    $("#env").textContent =
      `featpure ${VERSION} · backend ${b}${warning ? ` (${warning})` : ""} · cross-origin isolated: ${isolated ? `yes, up to ${Math.min(8, navigator.hardwareConcurrency || 1)} kernel threads` : "no, one kernel thread"}`;
    status.textContent = "Ready.";
    evaluate();
  },
  (err) => (status.textContent = `Failed to load the kernels: ${err instanceof Error ? err.message : String(err)}`),
);

// The demo page: a settings form built from the schema and mirrored in the URL, a worker that runs
// the experiment, and the plots it feeds.
import { ConfigError, flagSpecs, resolveConfig, VERSION, type Arm, type Config, type ExperimentResult, type Progress } from "../src/api.js";
import { barChart, drawHeatmap, lineChart, type Series } from "./plots.js";
import type { RunRequest, WorkerMessage } from "./protocol.js";
import { changedFlags, cliCommand, configFromQuery, flagSpec, formatValue, FORM_FLAGS, layerFromFlags, PAGE_PRESET, queryFromConfig, valueAt } from "./settings.js";

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
const downloadButton = $<HTMLButtonElement>("#download");
const progressBar = $<HTMLProgressElement>("#progress");
const status = $<HTMLElement>("#status");
const results = $<HTMLElement>("#results");

let config: Config;
let result: ExperimentResult | null = null;
let worker: Worker | null = null;
let stopFlag: Int32Array | null = null;
let stopTimer: ReturnType<typeof setTimeout> | undefined;
let startedAt = 0;
let pending: Progress | null = null;

function buildForm(): void {
  const box = $<HTMLElement>("#fields");
  for (const flag of FORM_FLAGS) {
    const { spec, path } = flagSpec(flag);
    const label = document.createElement("label");
    label.title = spec.doc;
    label.append(flag);
    let input: HTMLInputElement | HTMLSelectElement;
    if (spec.kind === "enum" || spec.kind === "bool") {
      input = document.createElement("select");
      for (const v of spec.kind === "enum" ? spec.values : ["true", "false"]) input.append(new Option(v, v));
    } else {
      input = document.createElement("input");
      input.type = spec.kind === "list" || spec.kind === "choices" ? "text" : "number";
      if (spec.kind !== "list" && spec.kind !== "choices") {
        input.min = String(spec.min);
        input.max = String(spec.max);
        input.step = spec.kind === "int" ? "1" : "any";
      }
      input.inputMode = spec.kind === "int" ? "numeric" : "decimal";
    }
    input.name = flag;
    input.value = formatValue(spec, valueAt(config, path));
    label.append(input);
    box.append(label);
  }
}

/** The URL-only options stay; the form's fields overwrite theirs. */
function readForm(): Config {
  const fields = FORM_FLAGS.map((flag): [string, string] => [flag, (form.elements.namedItem(flag) as HTMLInputElement).value]);
  return resolveConfig(layerFromFlags([...changedFlags(config), ...fields]));
}

function showIssues(err: unknown): void {
  for (const e of form.querySelectorAll(".invalid")) e.classList.remove("invalid");
  if (!(err instanceof ConfigError)) {
    $("#errors").textContent = err ? String(err) : "";
    return;
  }
  const flagOf = new Map(flagSpecs().map((f) => [f.path, f.flag]));
  $("#errors").textContent = err.issues.map((i) => `${flagOf.get(i.path) ?? i.path}: ${i.message}`).join("\n");
  for (const i of err.issues) form.querySelector(`[name="${flagOf.get(i.path) ?? i.path}"]`)?.classList.add("invalid");
}

function applyConfig(next: Config): void {
  config = next;
  history.replaceState(null, "", `?${queryFromConfig(config)}`);
  $("#cli").textContent = cliCommand(config);
  $("#log-every").textContent = String(config.logEvery);
  for (const fig of document.querySelectorAll<HTMLElement>("figure[data-arm]")) fig.hidden = config.train !== "both" && config.train !== fig.dataset.arm;
}

function onFormInput(): void {
  try {
    applyConfig(readForm());
    showIssues(null);
    runButton.disabled = !stopButton.disabled;
  } catch (err) {
    showIssues(err);
    runButton.disabled = true;
  }
}

function setRunning(on: boolean, message: string): void {
  runButton.disabled = on;
  stopButton.disabled = !on;
  results.dataset.state = on ? "running" : result ? "done" : "idle";
  status.textContent = message;
}

function armsOf(cfg: Config): Arm[] {
  return cfg.train === "both" ? ["clean", "adv"] : [cfg.train];
}

function showProgress(): void {
  if (!pending) return;
  const p = pending;
  pending = null;
  const arms = armsOf(config);
  const within = p.phase === "pretrain" ? 0.6 * (p.done / p.total) : p.phase === "downstream" ? 0.65 : 0.65 + 0.35 * (p.done / p.total);
  progressBar.value = (arms.indexOf(p.arm) + within) / arms.length;
  const phase = p.phase === "pretrain" ? `pre-training step ${p.done}/${p.total}` : p.phase === "downstream" ? "fitting the downstream head" : "attacking (robust accuracy)";
  status.textContent = `${ARMS[p.arm].label} arm: ${phase}`;
}

function onMessage(m: WorkerMessage): void {
  switch (m.type) {
    case "progress":
      if (!pending) requestAnimationFrame(showProgress);
      pending = m.progress;
      break;
    case "snapshot": {
      const fig = $<HTMLElement>(`figure[data-arm="${m.snapshot.arm}"]`);
      drawHeatmap($<HTMLCanvasElement>(`figure[data-arm="${m.snapshot.arm}"] canvas`), m.snapshot);
      fig.querySelector(".step")!.textContent = `· step ${m.snapshot.step}`;
      break;
    }
    case "done":
      result = m.result;
      renderResult(m.result);
      finish(`Done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s on the ${m.result.backend} backend.`);
      break;
    case "stopped":
      finish("Stopped.");
      break;
    case "error":
      finish(`Failed: ${m.message}`);
      break;
  }
}

function finish(message: string): void {
  clearTimeout(stopTimer);
  pending = null;
  progressBar.value = result ? 1 : progressBar.value;
  setRunning(false, message);
  downloadButton.disabled = result === null;
}

function run(): void {
  result = null;
  downloadButton.disabled = true;
  for (const svg of document.querySelectorAll("#results svg")) svg.replaceChildren();
  $("#summary").replaceChildren();
  for (const s of document.querySelectorAll("figure .step")) s.textContent = "";
  worker ??= new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => onMessage(e.data);
  worker.onerror = (e) => finish(`Failed: ${e.message}`);
  const stop = globalThis.crossOriginIsolated ? new SharedArrayBuffer(4) : null;
  stopFlag = stop ? new Int32Array(stop) : null;
  startedAt = performance.now();
  progressBar.value = 0;
  setRunning(true, "Starting…");
  worker.postMessage({ config, stop } satisfies RunRequest);
}

function stop(): void {
  if (stopFlag) Atomics.store(stopFlag, 0, 1);
  // The flag is read between training steps only: a worker busy attacking is ended instead.
  stopTimer = setTimeout(() => {
    worker?.terminate();
    worker = null;
    finish("Stopped (worker ended).");
  }, stopFlag ? 1000 : 0);
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
  barChart($<SVGSVGElement>("#histogram"), categories, purities.map((a) => ({ label: ARMS[a.arm].label, colour: ARMS[a.arm].colour, values: a.purity.histogram })),
    "significant features per live neuron", "features with |c| ≥ half the neuron's top", "neurons");
  const h = r.arms[0].downstream.headline;
  const head = ["arm", "top-1 purity", "participation", "downstream clean", `downstream ${h.norm} ${h.eps}`, "transfer"];
  const fmt = (v: number | null) => (v === null ? "–" : v.toFixed(3));
  const rows = r.arms.map((a) => [ARMS[a.arm].label, fmt(a.purity?.top1.mean ?? null), a.purity?.participation.mean.toFixed(1) ?? "–", fmt(a.downstream.clean),
    fmt(a.downstream.headline.accuracy), fmt(a.downstream.headline.transferAccuracy)]);
  const table = $<HTMLTableElement>("#summary");
  table.replaceChildren();
  const tr = (cells: string[], tag: "th" | "td") => {
    const row = table.insertRow();
    for (const c of cells) row.append(Object.assign(document.createElement(tag), { textContent: c }));
  };
  tr(head, "th");
  for (const row of rows) tr(row, "td");
}

function download(): void {
  if (!result) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(result, null, 2)], { type: "application/json" }));
  a.download = `featpure-${result.config.mode}-seed${result.config.seed}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

try {
  config = configFromQuery(new URLSearchParams(location.search));
} catch (err) {
  config = resolveConfig(PAGE_PRESET);
  queueMicrotask(() => showIssues(err));
}
buildForm();
applyConfig(config);
$("#env").textContent = `featpure ${VERSION} · cross-origin isolated: ${globalThis.crossOriginIsolated ? "yes" : "no"}`;
form.addEventListener("input", onFormInput);
form.addEventListener("submit", (e) => {
  e.preventDefault();
  if (!stopButton.disabled) return;
  run();
});
stopButton.addEventListener("click", stop);
downloadButton.addEventListener("click", download);
$("#eval-norm").addEventListener("change", () => result && renderAccuracy(result));
$<HTMLSelectElement>("#eval-norm").value = config.eval.radiusNorm;

// The only module that knows where the WASM lives and how it is instantiated. It picks the backend
// (relaxed SIMD by default, on every surface, since the build is part of a result's identity) and
// hands out engines: a fresh linear memory with an arena over it, plus the typed kernels.
import { browserBundle, isNode } from "../runtime.js";
import { Arena } from "./arena.js";
import type { Kernels } from "./kernels.js";
import { startPool, type Pool } from "./threads.js";
import { AUTO_THREADS_MAX, ENGINE_MEMORY_LIMIT_MIB, MAX_THREADS } from "../config/limits.js";

export type Backend = "relaxed" | "simd" | "scalar";
/** Fastest first: the order "auto" tries them in. */
export const BACKENDS: readonly Backend[] = ["relaxed", "simd", "scalar"];

export interface EngineOptions {
  /**
   * "relaxed" (default): relaxed SIMD, or SIMD with a warning where the runtime cannot run it;
   * "auto": the fastest backend the runtime validates, without a warning; or a named build.
   */
  backend?: "auto" | Backend;
  /** Upper bound on the WASM memory of one engine, in MiB (default 2048, at most 4096). */
  maxMemoryMiB?: number;
  /** Where to fetch the .wasm files from in a browser; defaults to the package's build/ folder. */
  wasmBaseUrl?: string | URL;
  /**
   * Kernel threads (default 1; 0: one per core, at most 8): attacks and passes split their work across this many
   * (worker_threads in Node, Web Workers in browsers, on shared WASM memory). Where shared memory or
   * workers are unavailable, or with the scalar backend, the engine runs one thread.
   */
  threads?: number;
}

export interface Engine {
  readonly backend: Backend;
  /** Why the engine runs another build than the one asked for; absent when it runs that build. */
  readonly backendWarning?: string;
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** Threads the row-parallel kernels run on (1: no workers). */
  readonly threads: number;
  /** Stops the kernel threads, if any; the engine must not be used afterwards. */
  close(): void;
}

const FILES: Record<Backend, string> = { relaxed: "featpure-relaxed.wasm", simd: "featpure.wasm", scalar: "featpure-scalar.wasm" };
// Builds for shared memory (asc --enable threads --sharedMemory); the scalar build has none.
const SHARED_FILES: Partial<Record<Backend, string>> = { relaxed: "featpure-relaxed-mt.wasm", simd: "featpure-mt.wasm" };
/** Upper bound of the shared memory: the threaded builds declare it, and an import must not exceed it. */
const SHARED_MAX_PAGES = 65536;
const PAGE = 65536;
const modules = new Map<string, Promise<WebAssembly.Module>>();

// The browser bundle looks for the .wasm files beside itself.
const WASM_DIR = browserBundle ? "./" : "../../build/";

async function readBytes(file: string, baseUrl?: string | URL): Promise<ArrayBuffer> {
  if (isNode && baseUrl === undefined) {
    const fs = await import("node:fs");
    // From src/engine (tests) the build folder is two levels up, from dist/src/engine three.
    for (const rel of ["../../build/", "../../../build/"]) {
      const url = new URL(rel + file, import.meta.url);
      if (fs.existsSync(url)) {
        const b = fs.readFileSync(url);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      }
    }
    throw new Error(`featpure: ${file} not found; run \`npm run build:wasm\``);
  }
  const res = await fetch(new URL(file, baseUrl ?? new URL(WASM_DIR, import.meta.url)));
  if (!res.ok) throw new Error(`featpure: fetching ${file} failed with HTTP ${res.status}`);
  return res.arrayBuffer();
}

function compile(backend: Backend, baseUrl?: string | URL, shared = false): Promise<WebAssembly.Module> {
  const file = shared ? SHARED_FILES[backend]! : FILES[backend];
  const key = `${file}|${baseUrl ?? ""}`;
  let m = modules.get(key);
  if (!m) {
    m = readBytes(file, baseUrl).then((bytes) => {
      if (!WebAssembly.validate(bytes)) throw new Error(`featpure: this runtime cannot run the ${backend} kernels`);
      return WebAssembly.compile(bytes);
    });
    modules.set(key, m);
    m.catch(() => modules.delete(key));
  }
  return m;
}

/**
 * Node 20 validates relaxed SIMD only behind a V8 flag; the flag is set here, before the first
 * compile that needs it, so the library, the CLI and the sweep workers run the same build. Only on
 * Node (node:v8 is imported dynamically, so the browser bundle never sees it).
 */
async function enableRelaxedSimd(): Promise<void> {
  if (!isNode) return;
  const { setFlagsFromString } = await import("node:v8");
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}

async function runnable(backend: Backend, baseUrl?: string | URL): Promise<boolean> {
  try {
    await compile(backend, baseUrl);
    return true;
  } catch {
    return false;
  }
}

/**
 * The build a choice runs on, with a warning when "relaxed" (the default) falls back to SIMD.
 * "auto" takes the first of BACKENDS that this runtime validates; a named simd or scalar build is
 * taken as it is.
 */
export async function resolveBackend(
  choice: "auto" | Backend = "relaxed",
  baseUrl?: string | URL,
): Promise<{ backend: Backend; warning?: string }> {
  if (choice === "simd" || choice === "scalar") return { backend: choice };
  if (!(await runnable("relaxed", baseUrl))) {
    await enableRelaxedSimd();
  }
  if (await runnable("relaxed", baseUrl)) return { backend: "relaxed" };
  const fallback: Backend = (await runnable("simd", baseUrl)) ? "simd" : "scalar";
  if (choice === "auto") return { backend: fallback };
  return {
    backend: fallback,
    warning: `this runtime cannot run the relaxed SIMD kernels (the default build); running the ${fallback} build instead, whose numbers differ from relaxed in the last bits and, through training, beyond`,
  };
}

/**
 * Whether this runtime can run kernel threads: shared memory, workers, and a thread allowed to block
 * in Atomics.wait (a browser's main thread, the one with a document, is not).
 */
function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics?.wait !== "function") return false;
  return isNode || (typeof Worker !== "undefined" && typeof (globalThis as { document?: unknown }).document === "undefined");
}

/** Cores this runtime reports (Node's availableParallelism, a browser's hardwareConcurrency). */
async function cores(): Promise<number> {
  if (isNode) return (await import("node:os")).availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  const { backend, warning } = await resolveBackend(opts.backend, opts.wasmBaseUrl);
  const maxMiB = opts.maxMemoryMiB ?? ENGINE_MEMORY_LIMIT_MIB;
  if (!(maxMiB >= 1 && maxMiB <= 4096)) throw new RangeError(`maxMemoryMiB must be in [1, 4096], got ${maxMiB}`);
  const asked = opts.threads ?? 1;
  if (!(Number.isInteger(asked) && asked >= 0 && asked <= MAX_THREADS))
    throw new RangeError(`threads must be an integer in [0, ${MAX_THREADS}] (0: one per core), got ${asked}`);
  const requested = asked === 0 ? Math.max(1, Math.min(AUTO_THREADS_MAX, await cores())) : asked;
  const threads = requested > 1 && backend !== "scalar" && threadsSupported() ? requested : 1;
  const shared = threads > 1;
  const module = await compile(backend, opts.wasmBaseUrl, shared);
  const maxPages = Math.min((maxMiB * 2 ** 20) / PAGE, SHARED_MAX_PAGES);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, ...(shared ? { shared: true } : {}) });
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`featpure: WASM abort at ${line}:${col}`);
      },
    },
  });
  const kernels = instance.exports as unknown as Kernels;
  const arena = new Arena(memory, kernels.heapBase(), maxPages * PAGE);
  kernels.setScratch(arena.alloc(kernels.scratchBytes() / 4, "kernel scratch").ptr);
  let pool: Pool | null = null;
  let run = kernels;
  if (shared) ({ kernels: run, pool } = await startPool(module, memory, arena, kernels, threads));
  return { backend, ...(warning ? { backendWarning: warning } : {}), kernels: run, arena, threads, close: () => pool?.close() };
}

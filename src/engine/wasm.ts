// The only module that knows where the WASM lives and how it is instantiated. It picks the backend
// once (SIMD when the runtime validates it, else scalar) and hands out engines: a fresh linear
// memory with an arena over it, plus the typed kernels.
import { browserBundle, isNode } from "../runtime.js";
import { Arena } from "./arena.js";
import type { Kernels } from "./kernels.js";
import { ENGINE_MEMORY_LIMIT_MIB } from "./budget.js";

export type Backend = "simd" | "scalar";
export const BACKENDS: readonly Backend[] = ["simd", "scalar"];

export interface EngineOptions {
  /** "auto" (default) takes the fastest backend the runtime validates. */
  backend?: "auto" | Backend;
  /** Upper bound on the WASM memory of one engine, in MiB (default 2048, at most 4096). */
  maxMemoryMiB?: number;
  /** Where to fetch the .wasm files from in a browser; defaults to the package's build/ folder. */
  wasmBaseUrl?: string | URL;
}

export interface Engine {
  readonly backend: Backend;
  readonly kernels: Kernels;
  readonly arena: Arena;
}

const FILES: Record<Backend, string> = { simd: "featpure.wasm", scalar: "featpure-scalar.wasm" };
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

function compile(backend: Backend, baseUrl?: string | URL): Promise<WebAssembly.Module> {
  const key = `${backend}|${baseUrl ?? ""}`;
  let m = modules.get(key);
  if (!m) {
    m = readBytes(FILES[backend], baseUrl).then((bytes) => {
      if (!WebAssembly.validate(bytes)) throw new Error(`featpure: this runtime cannot run the ${backend} kernels`);
      return WebAssembly.compile(bytes);
    });
    modules.set(key, m);
    m.catch(() => modules.delete(key));
  }
  return m;
}

/** The backend "auto" resolves to here: SIMD if it compiles, scalar otherwise. */
export async function resolveBackend(choice: "auto" | Backend = "auto", baseUrl?: string | URL): Promise<Backend> {
  if (choice !== "auto") return choice;
  try {
    await compile("simd", baseUrl);
    return "simd";
  } catch {
    return "scalar";
  }
}

export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  const backend = await resolveBackend(opts.backend, opts.wasmBaseUrl);
  const module = await compile(backend, opts.wasmBaseUrl);
  const maxMiB = opts.maxMemoryMiB ?? ENGINE_MEMORY_LIMIT_MIB;
  if (!(maxMiB >= 1 && maxMiB <= 4096)) throw new RangeError(`maxMemoryMiB must be in [1, 4096], got ${maxMiB}`);
  const maxPages = (maxMiB * 2 ** 20) / PAGE;
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages });
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`featpure: WASM abort at ${line}:${col}`);
      },
    },
  });
  const kernels = instance.exports as unknown as Kernels;
  return { backend, kernels, arena: new Arena(memory, kernels.heapBase(), maxPages * PAGE) };
}

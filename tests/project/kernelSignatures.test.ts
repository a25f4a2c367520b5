// The Kernels interface (src/engine/kernelSignatures.ts) is generated from the WASM module's exports:
// the committed file is what the generator writes from the current build, and it names every
// exported function with its number of parameters.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const committed = readFileSync(`${root}src/engine/kernelSignatures.ts`, "utf8");

/** name -> parameter count of each method of the committed interface. */
function interfaceMethods(): Map<string, number> {
  const methods = new Map<string, number>();
  for (const [, name, params] of committed.matchAll(/^ {2}(\w+)\(([^)]*)\): \w+;$/gm))
    methods.set(name, params.split(",").filter((p) => p.trim()).length);
  return methods;
}

/** name -> parameter count of each function a build exports. */
function wasmExports(file: string): Map<string, number> {
  const module = new WebAssembly.Module(readFileSync(`${root}build/${file}`));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: file.includes("-mt") });
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } });
  const fns = Object.entries(instance.exports).filter(([, v]) => typeof v === "function") as [string, (...a: number[]) => unknown][];
  return new Map(fns.map(([k, f]) => [k, f.length]));
}

describe("the kernels' TypeScript signatures", () => {
  it("are what scripts/kernelSignatures.mjs generates from the build (run npm run build:wasm after changing an export)", () => {
    const r = spawnSync(process.execPath, ["scripts/kernelSignatures.mjs", "--stdout"], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(committed).toBe(r.stdout);
  });

  it.each(["featpure.wasm", "featpure-scalar.wasm", "featpure-mt.wasm"])(
    "name every function %s exports, with its parameter count",
    (file) => {
      const methods = interfaceMethods();
      expect(methods.size).toBeGreaterThan(40);
      expect(Object.fromEntries(methods)).toEqual(Object.fromEntries(wasmExports(file)));
    },
  );
});

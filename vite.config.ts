// The library's browser build: an ES module of src/api.ts in dist/browser/, with the kernel-thread
// worker and the .wasm files
// beside it (where src/engine/wasm.ts looks when __FEATPURE_BROWSER__ is set).
import { readdirSync, readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

const wasmBeside = (): Plugin => ({
  name: "featpure-wasm-beside",
  generateBundle() {
    for (const file of readdirSync("build").filter((f) => f.endsWith(".wasm"))) {
      this.emitFile({ type: "asset", fileName: file, source: readFileSync(`build/${file}`) });
    }
  },
});

export default defineConfig({
  define: { __FEATPURE_BROWSER__: "true" },
  plugins: [wasmBeside()],
  build: {
    outDir: "dist/browser",
    emptyOutDir: true,
    target: "es2022",
    // The kernel threads' worker is its own entry: src/engine/threads.ts starts it from ./worker.js
    // beside the library.
    lib: { entry: { featpure: "src/api.ts", worker: "src/engine/worker.ts" }, formats: ["es"], fileName: (_format, name) => `${name}.js` },
  },
});

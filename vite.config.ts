// The library's browser build: an ES module of src/api.ts in dist/browser/, with the .wasm files
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
    lib: { entry: "src/api.ts", formats: ["es"], fileName: "featpure" },
  },
});

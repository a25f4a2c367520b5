// Builds the demo page into dist/web. The page and its worker import the library from its browser
// build (dist/browser/featpure.js) at run time instead of bundling a copy, so the page runs exactly
// what users embed.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const api = fileURLToPath(new URL("../src/api.ts", import.meta.url));

const useBrowserBuild = (): Plugin => ({
  name: "featpure-browser-build",
  enforce: "pre",
  resolveId(source, importer) {
    if (importer && resolve(dirname(importer), source.replace(/\.js$/, ".ts")) === api) {
      // Every chunk lands in dist/web/assets/.
      return { id: "../../browser/featpure.js", external: true };
    }
    return null;
  },
});

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [useBrowserBuild()],
  worker: { format: "es", plugins: () => [useBrowserBuild()] },
  build: { outDir: "../dist/web", emptyOutDir: true, target: "es2022" },
});

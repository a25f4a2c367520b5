// Loads the MNIST binary of mnist.ts once per process: from the on-disk cache on Node (mnistCache.ts,
// imported dynamically, so bundles stay portable), or from a URL.
import { isNode } from "../runtime.js";
import { decodeMnist, MNIST_FILE, type MnistDigits } from "./mnist.js";

export interface MnistLoadOptions {
  /** Fetch the binary from here (browsers: default MNIST_FILE beside the library, as the .wasm files); on Node, read this file: URL or path instead of the cache. */
  url?: string | URL;
  /** Node: folder of the cache file. Default $FEATPURE_CACHE, else node_modules/.cache/featpure. */
  cacheDir?: string;
}

const loaded = new Map<string, Promise<MnistDigits>>();

/** The digits, loaded once per process (per source). */
export function loadMnist(opts: MnistLoadOptions = {}): Promise<MnistDigits> {
  const key = `${opts.url ?? ""}|${opts.cacheDir ?? ""}`;
  let p = loaded.get(key);
  if (!p) {
    p =
      opts.url !== undefined
        ? fetchBinary(opts.url)
        : isNode
          ? import("./mnistCache.js").then((c) => c.loadCached(opts.cacheDir))
          : fetchBinary(new URL(MNIST_FILE, import.meta.url));
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

async function fetchBinary(url: string | URL): Promise<MnistDigits> {
  const text = String(url);
  if (isNode && (text.startsWith("file:") || !/^[a-z][a-z0-9+.-]*:/i.test(text))) {
    const { readBytes } = await import("../files/readBytes.js");
    return decodeMnist(readBytes(text.startsWith("file:") ? new URL(text) : text));
  }
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(
      `featpure: fetching the MNIST binary ${url} failed with HTTP ${res.status}; serve ${MNIST_FILE} there ` +
        "(Node builds it in node_modules/.cache/featpure on the first run on the digits; web/serve.mjs serves it beside the library)",
    );
  }
  return decodeMnist(new Uint8Array(await res.arrayBuffer()));
}

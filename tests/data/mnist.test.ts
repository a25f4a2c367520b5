// The digits: the package's JSON turned into the compact binary, cached on disk, and read back.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOTAL_DIGITS } from "../../src/config/limits.js";
import { CLASSES, DIGIT_COUNTS, PIXELS, decodeMnist, digitsFromArrays, encodeMnist } from "../../src/data/mnist.js";
import { loadMnist } from "../../src/data/mnistLoad.js";
import { mnistCacheFile } from "../../src/data/mnistCache.js";

/** Byte equality; toEqual walks megabytes element by element, far too slowly. */
const same = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("MNIST loader", () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "featpure-mnist-"));

  it("loads the 10,000 labelled 28x28 digits of the package, with the documented per-digit counts", async () => {
    const d = await loadMnist({ cacheDir });
    expect(d.n).toBe(TOTAL_DIGITS);
    expect(TOTAL_DIGITS).toBe(10_000);
    expect(d.pixels.length).toBe(d.n * PIXELS);
    const counts = new Array(CLASSES).fill(0);
    for (const l of d.labels) counts[l]++;
    expect(counts).toEqual(DIGIT_COUNTS);
    expect(DIGIT_COUNTS.reduce((a, b) => a + b, 0)).toBe(TOTAL_DIGITS);
    // Pixels are bytes; both ends of [0, 1] occur, and digits are mostly background.
    let zeros = 0;
    let max = 0;
    for (const p of d.pixels) {
      if (p === 0) zeros++;
      max = Math.max(max, p);
    }
    expect(max).toBe(255);
    expect(zeros / d.pixels.length).toBeGreaterThan(0.7);
    expect(zeros / d.pixels.length).toBeLessThan(0.95);
  });

  it("caches the binary atomically and reads it back unchanged; a damaged cache is rebuilt", async () => {
    const file = await mnistCacheFile(cacheDir);
    expect(existsSync(file)).toBe(true);
    const first = await loadMnist({ cacheDir });
    expect(readFileSync(file).length).toBe(16 + first.n * (1 + PIXELS));
    const again = await loadMnist({ url: file });
    expect(same(again.labels, first.labels)).toBe(true);
    expect(same(again.pixels, first.pixels)).toBe(true);

    const other = mkdtempSync(join(tmpdir(), "featpure-mnist-"));
    writeFileSync(await mnistCacheFile(other), "FPMNIST1 truncated");
    const rebuilt = await loadMnist({ cacheDir: other });
    expect(same(rebuilt.pixels, first.pixels)).toBe(true);
    expect(decodeMnist(readFileSync(await mnistCacheFile(other))).n).toBe(TOTAL_DIGITS);
  });

  it("round-trips the binary format and rejects malformed files", () => {
    const d = { n: 2, labels: Uint8Array.of(3, 9), pixels: Uint8Array.from({ length: 2 * PIXELS }, (_, i) => i % 256) };
    const back = decodeMnist(encodeMnist(d));
    expect(back).toEqual(d);
    const bytes = encodeMnist(d);
    expect(() => decodeMnist(bytes.subarray(0, bytes.length - 1))).toThrow(/bytes for 2 images/);
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(() => decodeMnist(wrongMagic)).toThrow(/magic/);
    const badLabel = bytes.slice();
    badLabel[16] = 10;
    expect(() => decodeMnist(badLabel)).toThrow(/label 10/);
  });

  it("converts the package's [0, 1] floats back to the exact bytes, and rejects values outside [0, 1]", () => {
    const perDigit = Array.from({ length: CLASSES }, (_, digit) =>
      Array.from({ length: PIXELS }, (_, i) => Math.round((((digit * 31 + i) % 256) / 255) * 1000) / 1000),
    );
    const d = digitsFromArrays(perDigit);
    expect(d.n).toBe(CLASSES);
    expect(Array.from(d.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let digit = 0; digit < CLASSES; digit++)
      for (let i = 0; i < PIXELS; i += 97) expect(d.pixels[digit * PIXELS + i]).toBe((digit * 31 + i) % 256);
    perDigit[4][7] = 1.5;
    expect(() => digitsFromArrays(perDigit)).toThrow(/digit 4: pixel value 1.5/);
    expect(() => digitsFromArrays([[0, 1]])).toThrow(/10 digit arrays/);
  });
});

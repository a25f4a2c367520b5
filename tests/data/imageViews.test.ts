// Image augmentations for contrastive views: shifts, noise, masking, determinism.
import { describe, expect, it } from "vitest";
import { augmentImages, shiftImage, twoViews } from "../../src/data/imageViews.js";
import { Rng } from "../../src/rng.js";

const side = 8;
const d = side * side;
/** Images whose pixel values are all distinct and positive, so a shift can be recovered. */
const images = (n: number) => Float32Array.from({ length: n * d }, (_, i) => 0.01 + (i % d) / d / 2 + (0.4 * Math.floor(i / d)) / n);

/** The (dx, dy) that maps src onto dst, or null when none does. */
function recoverShift(src: Float32Array, dst: Float32Array, off: number, maxShift: number): [number, number] | null {
  const tmp = new Float32Array(d);
  for (let dy = -maxShift; dy <= maxShift; dy++) {
    for (let dx = -maxShift; dx <= maxShift; dx++) {
      shiftImage(src, off, side, dx, dy, tmp, 0);
      if (tmp.every((v, i) => v === dst[off + i])) return [dx, dy];
    }
  }
  return null;
}

describe("image views", () => {
  it("shiftImage moves pixels by exactly (dx, dy) and fills with zeros", () => {
    const x = images(1);
    const out = new Float32Array(d);
    shiftImage(x, 0, side, 2, -1, out, 0);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const sr = r + 1;
        const sc = c - 2;
        expect(out[r * side + c]).toBe(sr < side && sc >= 0 ? x[sr * side + sc] : 0);
      }
    }
  });

  it("shifts each image by integers within maxShift, and uses the whole range", () => {
    const n = 200;
    const x = images(n);
    const out = new Float32Array(n * d);
    augmentImages(x, n, side, new Rng(1), { maxShift: 2, noise: 0, maskFraction: 0 }, out);
    const seen = new Set<string>();
    for (let b = 0; b < n; b++) {
      const s = recoverShift(x, out, b * d, 2);
      expect(s).not.toBeNull();
      seen.add(String(s));
    }
    expect(seen.size).toBe(25);
  });

  it("masks about maskFraction of the pixels to exactly 0", () => {
    const n = 100;
    const x = new Float32Array(n * d).fill(0.5);
    const out = new Float32Array(n * d);
    augmentImages(x, n, side, new Rng(2), { maxShift: 0, noise: 0, maskFraction: 0.3 }, out);
    const zeros = out.filter((v) => v === 0).length / out.length;
    expect(zeros).toBeGreaterThan(0.27); // 6400 pixels: 0.3 +- 3 standard deviations (0.017)
    expect(zeros).toBeLessThan(0.33);
    expect(out.every((v) => v === 0 || v === 0.5)).toBe(true);
  });

  it("adds noise of the requested std and clamps to the box", () => {
    const n = 100;
    const x = new Float32Array(n * d).fill(0.5);
    const out = new Float32Array(n * d);
    augmentImages(x, n, side, new Rng(3), { maxShift: 0, noise: 0.05, maskFraction: 0 }, out);
    let s = 0;
    let s2 = 0;
    for (const v of out) {
      s += v - 0.5;
      s2 += (v - 0.5) ** 2;
    }
    expect(Math.abs(s / out.length)).toBeLessThan(0.005);
    expect(Math.sqrt(s2 / out.length)).toBeCloseTo(0.05, 2);
    augmentImages(x, n, side, new Rng(3), { maxShift: 0, noise: 2, maskFraction: 0 }, out);
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(1);
  });

  it("gives two different views, the same ones for the same seed", () => {
    const n = 4;
    const x = images(n);
    const a1 = new Float32Array(n * d);
    const b1 = new Float32Array(n * d);
    const a2 = new Float32Array(n * d);
    const b2 = new Float32Array(n * d);
    twoViews(x, n, side, new Rng(7), {}, a1, b1);
    twoViews(x, n, side, new Rng(7), {}, a2, b2);
    expect(a2).toEqual(a1);
    expect(b2).toEqual(b1);
    expect(b1).not.toEqual(a1);
  });

  it("rejects bad options and buffers", () => {
    const x = images(1);
    const out = new Float32Array(d);
    expect(() => augmentImages(x, 1, side, new Rng(1), { maxShift: 8 }, out)).toThrow(/maxShift/);
    expect(() => augmentImages(x, 1, side, new Rng(1), { maskFraction: 1.5 }, out)).toThrow(/maskFraction/);
    expect(() => augmentImages(x, 2, side, new Rng(1), {}, out)).toThrow(/n x side/);
  });
});

// The dictionary-free purification proxies on hand-made weights whose answers are known.
import { describe, expect, it } from "vitest";
import { classSelectivity, neuronProxies, summarizeProxies, type ClassProbe } from "../../src/metrics/proxies.js";

const side = 28;
const d = side * side;
/** A probe on which every neuron is equally active for all classes. */
const flatProbe = (m: number): ClassProbe => ({
  H: new Float32Array(4 * m).fill(1),
  n: 4,
  classes: Uint8Array.of(0, 1, 2, 3),
  classCount: 4,
});

describe("purification proxies", () => {
  it("rate a single-pixel weight maximally sparse and local, a uniform one not at all, and a zero one zero", () => {
    const W = new Float32Array(3 * d);
    W[14 * side + 14] = -3; // neuron 0: one pixel
    W.fill(0.5, d, 2 * d); // neuron 1: uniform
    const [pixel, uniform, zero] = neuronProxies(W, 3, side, flatProbe(3), { window: 7, topFraction: 0.05 });
    expect(pixel.participation).toBeCloseTo(1, 12);
    expect(pixel.topMass).toBeCloseTo(1, 12);
    expect(pixel.windowMass).toBeCloseTo(1, 12);
    expect(pixel.spread).toBeCloseTo(0, 12);
    expect(pixel.norm).toBeCloseTo(3, 6);
    expect(uniform.participation).toBeCloseTo(d, 8);
    expect(uniform.topMass).toBeCloseTo(Math.round(0.05 * d) / d, 12);
    expect(uniform.windowMass).toBeCloseTo(49 / d, 12);
    // rms distance from the centre of a uniform n x n grid: sqrt(2 (n^2 - 1) / 12)
    expect(uniform.spread).toBeCloseTo(Math.sqrt((2 * (side * side - 1)) / 12), 10);
    expect(zero).toMatchObject({ norm: 0, participation: 0, topMass: 0, windowMass: 0, spread: 0, live: false });
    expect(pixel.live && uniform.live).toBe(true);
  });

  it("measure a 3x3 blob as local and a weight on two far corners as spread out", () => {
    const W = new Float32Array(2 * d);
    for (let r = 10; r < 13; r++) for (let c = 5; c < 8; c++) W[r * side + c] = 1;
    W[d] = 1;
    W[d + d - 1] = -1;
    const [blob, corners] = neuronProxies(W, 2, side, flatProbe(2), { window: 3 });
    expect(blob.participation).toBeCloseTo(9, 10);
    expect(blob.windowMass).toBeCloseTo(1, 12);
    expect(blob.spread).toBeCloseTo(Math.sqrt(2 * (2 / 3)), 10);
    expect(corners.participation).toBeCloseTo(2, 10);
    expect(corners.windowMass).toBeCloseTo(0.5, 12);
    expect(corners.spread).toBeCloseTo((Math.SQRT2 * 27) / 2, 10);
  });

  it("do not depend on the scale of the weights, and are finite for tiny ones", () => {
    const W = Float32Array.from({ length: d }, (_, i) => Math.sin(i) * ((i * 7) % 5));
    const small = W.map((v) => v * 1e-30);
    const [a] = neuronProxies(W, 1, side, flatProbe(1));
    const [b] = neuronProxies(small, 1, side, flatProbe(1));
    for (const k of ["participation", "topMass", "windowMass", "spread"] as const) expect(b[k]).toBeCloseTo(a[k], 4);
  });

  it("score class selectivity from the mean |h| per class: 1 for one class only, 1/classes for none", () => {
    // 3 neurons, 6 samples of classes 0,0,1,1,2,2: neuron 0 fires on class 1 only, neuron 1 equally
    // (with sign flips, which |h| ignores), neuron 2 never.
    const H = Float32Array.from([0, 1, 0, 0, -1, 0, 2, 1, 0, 2, -1, 0, 0, 1, 0, 0, 1, 0]);
    const sel = classSelectivity({ H, n: 6, classes: Uint8Array.of(0, 0, 1, 1, 2, 2), classCount: 3 }, 3);
    expect(Array.from(sel)).toEqual([1, 1 / 3, 0]);
  });

  it("summarise over live neurons only", () => {
    const W = new Float32Array(2 * d);
    W[0] = 1;
    W[d + 5] = 1e-3; // far below liveFraction 0.1 of the largest norm
    const s = summarizeProxies(neuronProxies(W, 2, side, flatProbe(2)));
    expect(s).toMatchObject({ neurons: 2, live: 1 });
    expect(s.participation.mean).toBe(1);
  });

  it("reject inconsistent shapes and options", () => {
    expect(() => neuronProxies(new Float32Array(10), 1, side, flatProbe(1))).toThrow(/m x side\^2/);
    expect(() => neuronProxies(new Float32Array(d), 1, side, flatProbe(1), { window: 29 })).toThrow(/window/);
    expect(() => neuronProxies(new Float32Array(d), 1, side, flatProbe(2))).toThrow(/probe/);
  });
});

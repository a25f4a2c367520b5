// The weight mosaic: layout, colours, and a PNG that decodes to the same pixels.
import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { encodePng, sideBySide, weightColour, weightMosaic } from "../../src/model/mosaic.js";

describe("weight mosaic", () => {
  it("lays m tiles of side x side in a grid, scaled, with gaps, strongest neuron first", () => {
    const side = 3;
    const m = 5;
    const W = new Float32Array(m * 9);
    W[4 * 9 + 4] = 2; // neuron 4 (largest norm, so tile 0): centre pixel positive
    W[1 * 9 + 0] = -1; // neuron 1 (tile 1): top-left pixel negative
    const img = weightMosaic(W, m, side, { scale: 2, gap: 1 });
    // ceil(sqrt(5)) = 3 columns, 2 rows; each tile 6 px wide plus gaps.
    expect(img.width).toBe(3 * 6 + 4);
    expect(img.height).toBe(2 * 6 + 3);
    expect(img.data.length).toBe(img.width * img.height * 4);
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
    expect(at(0, 0)).toEqual([160, 160, 160, 255]); // gap
    expect(at(1 + 2, 1 + 2)).toEqual([255, 0, 0, 255]); // tile 0 centre: full red
    expect(at(1 + 3, 1 + 3)).toEqual([255, 0, 0, 255]); // the 2x2 block of that pixel
    expect(at(1, 1)).toEqual([255, 255, 255, 255]); // zero weight: white
    expect(at(1 + 6 + 1, 1)).toEqual([0, 0, 255, 255]); // tile 1 top-left: full blue
  });

  it("maps weights to a diverging scale", () => {
    expect(weightColour(0)).toEqual([255, 255, 255]);
    expect(weightColour(1)).toEqual([255, 0, 0]);
    expect(weightColour(-1)).toEqual([0, 0, 255]);
    expect(weightColour(0.5)).toEqual([255, 128, 128]);
  });

  it("puts panels side by side and encodes a PNG that decodes to the same pixels", async () => {
    const a = weightMosaic(
      Float32Array.from({ length: 4 * 784 }, (_, i) => Math.sin(i)),
      4,
      28,
    );
    const b = weightMosaic(
      Float32Array.from({ length: 9 * 784 }, (_, i) => Math.cos(i)),
      9,
      28,
    );
    const both = sideBySide([a, b], 8);
    expect(both.width).toBe(a.width + 8 + b.width);
    expect(both.height).toBe(Math.max(a.height, b.height));
    const row = 10;
    const left = both.data.subarray(row * both.width * 4, row * both.width * 4 + a.width * 4);
    expect(Buffer.from(left).equals(Buffer.from(a.data.subarray(row * a.width * 4, (row + 1) * a.width * 4)))).toBe(true);
    const png = await encodePng(both);
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const decoded = PNG.sync.read(Buffer.from(png));
    expect([decoded.width, decoded.height]).toEqual([both.width, both.height]);
    expect(Buffer.from(decoded.data).equals(Buffer.from(both.data))).toBe(true);
  });

  it("rejects a W of the wrong size", () => {
    expect(() => weightMosaic(new Float32Array(10), 2, 28)).toThrow(/m x side\^2/);
  });
});

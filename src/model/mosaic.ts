// Every hidden neuron's weight vector drawn as a small image, tiles in a grid: a purified neuron
// shows a stroke, an impure one a dense template. Arms go side by side in one picture. The raster
// is plain RGBA (a browser can put it on a canvas); PNG encoding loads pngjs on demand, so
// importing this module costs nothing where no PNG is written.

export interface Rgba {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major. */
  data: Uint8Array;
}

export interface MosaicOptions {
  /** Tiles per row; 0 picks ceil(sqrt(m)). */
  columns: number;
  /** Each weight becomes a scale x scale block of pixels. */
  scale: number;
  /** Pixels between tiles (and between panels). */
  gap: number;
}

export const DEFAULT_MOSAIC: MosaicOptions = Object.freeze({ columns: 0, scale: 2, gap: 2 });
const GAP_GREY = 160;

/** Diverging colour of v in [-1, 1]: white at 0, red for positive weights, blue for negative. */
export function weightColour(v: number): [number, number, number] {
  const t = Math.min(1, Math.abs(v));
  const fade = Math.round(255 * (1 - t));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/**
 * W (m, side*side) as a grid of side x side tiles, each scaled by its own max |w| (so shapes, not
 * norms, are compared), neurons ordered by decreasing norm so dead ones gather at the end.
 */
export function weightMosaic(W: Float32Array, m: number, side: number, opts?: Partial<MosaicOptions>): Rgba {
  const o = { ...DEFAULT_MOSAIC, ...opts };
  const d = side * side;
  if (W.length !== m * d) throw new RangeError(`weightMosaic: W must be m x side^2 = ${m} x ${d} (${m * d} values), got ${W.length}`);
  if (
    !(Number.isInteger(o.scale) && o.scale >= 1) ||
    !(Number.isInteger(o.gap) && o.gap >= 0) ||
    !(Number.isInteger(o.columns) && o.columns >= 0)
  ) {
    throw new RangeError(`weightMosaic: scale must be an integer >= 1, gap and columns integers >= 0`);
  }
  const cols = Math.max(1, o.columns || Math.ceil(Math.sqrt(m)));
  const rows = Math.max(1, Math.ceil(m / cols));
  const tile = side * o.scale;
  const img = blank(cols * tile + (cols + 1) * o.gap, rows * tile + (rows + 1) * o.gap);
  const norms = Array.from({ length: m }, (_, j) => rowNorm(W, j, d));
  const order = Array.from({ length: m }, (_, j) => j).sort((a, b) => norms[b] - norms[a] || a - b);
  order.forEach((j, slot) => {
    let max = 0;
    for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(W[j * d + i]));
    const x0 = o.gap + (slot % cols) * (tile + o.gap);
    const y0 = o.gap + Math.floor(slot / cols) * (tile + o.gap);
    for (let i = 0; i < d; i++) {
      const colour = weightColour(max > 0 ? W[j * d + i] / max : 0);
      const px = x0 + (i % side) * o.scale;
      const py = y0 + Math.floor(i / side) * o.scale;
      for (let dy = 0; dy < o.scale; dy++) for (let dx = 0; dx < o.scale; dx++) put(img, px + dx, py + dy, colour);
    }
  });
  return img;
}

/** Panels left to right, top-aligned, separated by a white band of `gap` pixels. */
export function sideBySide(panels: Rgba[], gap = 4 * DEFAULT_MOSAIC.gap): Rgba {
  const width = panels.reduce((w, p) => w + p.width, 0) + gap * Math.max(0, panels.length - 1);
  const img = blank(width, Math.max(0, ...panels.map((p) => p.height)), 255);
  let x0 = 0;
  for (const p of panels) {
    for (let y = 0; y < p.height; y++) img.data.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), (y * width + x0) * 4);
    x0 += p.width + gap;
  }
  return img;
}

export async function encodePng(img: Rgba): Promise<Uint8Array> {
  const { PNG } = await import("pngjs");
  const png = new PNG({ width: img.width, height: img.height });
  png.data.set(img.data);
  return new Uint8Array(PNG.sync.write(png));
}

function blank(width: number, height: number, grey = GAP_GREY): Rgba {
  const data = new Uint8Array(width * height * 4).fill(grey);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data };
}

function put(img: Rgba, x: number, y: number, [r, g, b]: [number, number, number]): void {
  const k = (y * img.width + x) * 4;
  img.data[k] = r;
  img.data[k + 1] = g;
  img.data[k + 2] = b;
}

function rowNorm(W: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += W[j * d + i] * W[j * d + i];
  return s;
}

// Two random views of each image for contrastive pre-training on real images: the image analogue
// of the synthetic views of docs/model.md ("Pre-training"). A view shifts the image by a few pixels, adds pixel
// noise, and masks random pixels, so the views share the digit's strokes but not their exact
// pixels. Every draw comes from the caller's Rng, in a fixed order, so views are reproducible.
import type { Rng } from "../rng.js";

export interface ViewOptions {
  /** Each view is shifted by integers dx, dy drawn uniformly from [-maxShift, maxShift]. */
  maxShift: number;
  /** Std of the Gaussian noise added to every pixel (before masking). */
  noise: number;
  /** Each pixel is set to 0 with this probability (after the noise). */
  maskFraction: number;
  /** Pixel values are clamped to this range after the noise. */
  box: [number, number];
}

export const DEFAULT_VIEWS: Readonly<ViewOptions> = Object.freeze({
  maxShift: 2,
  noise: 0.1,
  maskFraction: 0.2,
  box: [0, 1] as [number, number],
});

/**
 * dst = src shifted right by dx and down by dy (side x side images at the given offsets); pixels
 * shifted in from outside the image are 0.
 */
export function shiftImage(
  src: Float32Array,
  srcOff: number,
  side: number,
  dx: number,
  dy: number,
  dst: Float32Array,
  dstOff: number,
): void {
  for (let r = 0; r < side; r++) {
    const sr = r - dy;
    for (let c = 0; c < side; c++) {
      const sc = c - dx;
      dst[dstOff + r * side + c] = sr >= 0 && sr < side && sc >= 0 && sc < side ? src[srcOff + sr * side + sc] : 0;
    }
  }
}

/** One augmented view of every image of x (n, side*side) into out (same shape). */
export function augmentImages(x: Float32Array, n: number, side: number, rng: Rng, opts: Partial<ViewOptions>, out: Float32Array): void {
  const o = checkOptions({ ...DEFAULT_VIEWS, ...opts }, side);
  const d = side * side;
  if (x.length < n * d || out.length < n * d) throw new RangeError(`augmentImages: x and out must hold n x side^2 = ${n} x ${d} values`);
  const [lo, hi] = o.box;
  for (let b = 0; b < n; b++) {
    const dx = o.maxShift ? rng.int(2 * o.maxShift + 1) - o.maxShift : 0;
    const dy = o.maxShift ? rng.int(2 * o.maxShift + 1) - o.maxShift : 0;
    shiftImage(x, b * d, side, dx, dy, out, b * d);
    for (let i = b * d; i < (b + 1) * d; i++) {
      const v = o.noise ? out[i] + o.noise * rng.normal() : out[i];
      out[i] = Math.min(hi, Math.max(lo, v));
      if (o.maskFraction && rng.uniform() < o.maskFraction) out[i] = 0;
    }
  }
}

/** Two independent views of every image: viewA and viewB (each n, side*side). */
export function twoViews(
  x: Float32Array,
  n: number,
  side: number,
  rng: Rng,
  opts: Partial<ViewOptions>,
  viewA: Float32Array,
  viewB: Float32Array,
): void {
  augmentImages(x, n, side, rng, opts, viewA);
  augmentImages(x, n, side, rng, opts, viewB);
}

function checkOptions(o: ViewOptions, side: number): ViewOptions {
  if (!(Number.isInteger(o.maxShift) && o.maxShift >= 0 && o.maxShift < side))
    throw new RangeError(`image views: maxShift must be an integer in [0, ${side - 1}], got ${o.maxShift}`);
  if (!(o.noise >= 0 && Number.isFinite(o.noise))) throw new RangeError(`image views: noise must be a finite number >= 0, got ${o.noise}`);
  if (!(o.maskFraction >= 0 && o.maskFraction <= 1))
    throw new RangeError(`image views: maskFraction must be in [0, 1], got ${o.maskFraction}`);
  if (!(o.box[0] <= 0 && o.box[1] >= 0 && o.box[0] < o.box[1]))
    throw new RangeError(`image views: box must be [lo, hi] with lo <= 0 <= hi (masked pixels are 0), got [${o.box}]`);
  return o;
}

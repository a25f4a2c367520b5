// The one source of randomness in featpure: a seeded sfc32 generator with labelled, independent forks.
//
// sfc32 uses only 32-bit adds, shifts and xors (`| 0`), so every JS engine produces the same numbers
// for the same seed. It is not cryptographic and does not try to be. Forks are keyed by the original
// seed and a label, never by the parent's position, so adding draws to one part of an experiment
// (say, more attack restarts) leaves every other stream (initialisation, data, ...) bit-identical.
import { log } from "./math/portable.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_MINUS_53 = 1 / TWO_POW_53;
/** sfc32 is weak for its first outputs after a low-entropy seeding; these are thrown away. */
const WARM_UP = 16;

/** 128-bit key (four u32 words). */
type Key = readonly [number, number, number, number];

/** murmur3's 32-bit finaliser: full avalanche, so nearby keys give unrelated states. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * cyrb128 over the UTF-16 units of `s`, started from `init`, with each word passed through fmix32
 * at the end (cyrb128's own finalisation leaves the words correlated).
 */
function hash128(s: string, init: Key): Key {
  let [h1, h2, h3, h4] = init;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  // Folding in the length keeps inputs that differ only by trailing NUL units apart.
  h1 ^= s.length;
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [fmix32(h1 ^ 0x9e3779b9), fmix32(h2 ^ 0x7f4a7c15), fmix32(h3 ^ 0x85ebca6b), fmix32(h4 ^ 0xc2b2ae35)];
}

/** Everything that determines a stream's future draws and forks; plain JSON, for checkpoints. */
export interface RngState {
  key: [number, number, number, number];
  /** sfc32's four words, as unsigned 32-bit integers. */
  words: [number, number, number, number];
  /** The cached second value of Marsaglia's pair, or null when none is cached. */
  spare: number | null;
}

const isU32 = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < TWO_POW_32;
const isU32x4 = (v: unknown): v is [number, number, number, number] => Array.isArray(v) && v.length === 4 && v.every(isU32);

const ROOT: Key = [1779033703, 3144134277, 1013904242, 2773480762];

function seedKey(seed: number | string): Key {
  if (typeof seed === "number") {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number or a string, got ${seed}`);
    // A number and its decimal string name the same stream, so `--seed 7` and `seed: 7` agree.
    return hash128(String(seed), ROOT);
  }
  if (typeof seed !== "string") throw new TypeError(`Rng seed must be a number or a string, got ${typeof seed}`);
  return hash128(seed, ROOT);
}

export class Rng {
  // All state is set in init() (hence `declare`), so fork() can build a child from a key directly.
  /** Identity of this stream; forks derive from it, never from the state. */
  declare private key: Key;
  declare private a: number;
  declare private b: number;
  declare private c: number;
  declare private d: number;
  declare private spare: number;
  declare private hasSpare: boolean;

  constructor(seed: number | string) {
    this.init(seedKey(seed));
  }

  private init(key: Key): void {
    this.key = key;
    [this.a, this.b, this.c, this.d] = key.map((w) => w | 0);
    this.spare = 0;
    this.hasSpare = false;
    for (let i = 0; i < WARM_UP; i++) this.nextU32();
  }

  /** Uniform 32-bit unsigned integer (sfc32). */
  nextU32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Double in [0, 1) on the 2^-53 grid (two 32-bit draws). */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  /** Standard normal by Marsaglia's polar method; the second value of each pair is cached. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    return this.polarPair();
  }

  /** Draws a fresh pair, caches one and returns the other. */
  private polarPair(): number {
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Uniform integer in [0, n), unbiased (rejection of the incomplete top block). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_53) throw new RangeError(`Rng.int needs an integer n in [1, 2^53], got ${n}`);
    if (n <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let u = this.nextU32();
      while (u >= limit) u = this.nextU32();
      return u % n;
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    let u = this.uniform() * TWO_POW_53;
    while (u >= limit) u = this.uniform() * TWO_POW_53;
    return u % n;
  }

  /**
   * An independent stream determined only by this stream's seed (its key) and `label`. Calling
   * fork twice with the same label gives two identical streams, which is how separate arms of an
   * experiment share, say, one initialisation.
   */
  fork(label: string): Rng {
    // Domain separation: a fork's key is never the key of a root seed with the same text.
    const child = Object.create(Rng.prototype) as Rng;
    child.init(hash128(label + "\u0001fork", this.key));
    return child;
  }

  /** A copy of the full state: `Rng.fromState(r.state())` draws exactly what `r` would draw next. */
  state(): RngState {
    return {
      key: [...this.key] as RngState["key"],
      words: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0],
      spare: this.hasSpare ? this.spare : null,
    };
  }

  /** The stream a state() describes; throws a TypeError naming the bad part for anything else. */
  static fromState(s: RngState): Rng {
    if (typeof s !== "object" || s === null) throw new TypeError("Rng state must be an object");
    if (!isU32x4(s.key)) throw new TypeError("Rng state: key must be four unsigned 32-bit integers");
    if (!isU32x4(s.words)) throw new TypeError("Rng state: words must be four unsigned 32-bit integers");
    if (s.spare !== null && !(typeof s.spare === "number" && Number.isFinite(s.spare)))
      throw new TypeError("Rng state: spare must be a finite number or null");
    const r = Object.create(Rng.prototype) as Rng;
    r.key = [...s.key] as Key;
    [r.a, r.b, r.c, r.d] = s.words.map((w) => w | 0);
    r.hasSpare = s.spare !== null;
    r.spare = s.spare ?? 0;
    return r;
  }

  /** Continues from a state() of a stream with the same identity (the key must match). */
  restore(s: RngState): void {
    const r = Rng.fromState(s);
    if (r.key.some((w, i) => w !== this.key[i])) throw new TypeError("Rng state belongs to another stream (its key differs)");
    [this.a, this.b, this.c, this.d, this.spare, this.hasSpare] = [r.a, r.b, r.c, r.d, r.spare, r.hasSpare];
  }

  /**
   * out[i] = scale * N(0, 1). Draws exactly the values that out.length calls to normal() would
   * (spare included), so switching between the two never changes results.
   */
  fillNormal(out: Float32Array | Float64Array, scale = 1): void {
    const n = out.length;
    let i = 0;
    if (n > 0 && this.hasSpare) {
      this.hasSpare = false;
      out[i++] = scale * this.spare;
    }
    for (; i + 1 < n; i += 2) {
      out[i] = scale * this.polarPair();
      out[i + 1] = scale * this.spare;
    }
    this.hasSpare = false;
    if (i < n) out[i] = scale * this.polarPair(); // leaves the pair's second value cached
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): void {
    const arr = a as { [k: number]: unknown; length: number };
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
  }
}

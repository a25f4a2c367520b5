// exp, log and log1p built from IEEE-754 basic operations only (+ - * / and bit moves), which every
// JavaScript engine performs exactly alike. Math.exp and Math.log are not: V8 has changed their
// implementations (Node 20's V8 11.3 and Chromium 156 disagree in the last bit for roughly one
// argument in ten), so any number that passes through them would differ between Node and browsers.
// Accuracy is about 1 ulp, which the simulation does not notice; sameness is what matters here.

const view = new DataView(new ArrayBuffer(8));
const LN2_HI = 6.9314718036912381649e-1; // ln 2 rounded to 32 significant bits, so k * LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10; // ln 2 - LN2_HI
const INV_LN2 = 1.4426950408889634;
const TWO54 = 18014398509481984;

/** 2^k for an integer k in [-1022, 1023]. */
function pow2(k: number): number {
  view.setUint32(0, (k + 1023) << 20);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

export function exp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  // x = k ln2 + r with |r| <= ln2 / 2, r kept as hi - lo so the reduction loses nothing.
  const k = Math.round(x * INV_LN2);
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  // Taylor series of e^r - 1 - r to r^13 (the next term is below 2^-58 relative).
  let p = 1 / 6227020800;
  for (const c of [1 / 479001600, 1 / 39916800, 1 / 3628800, 1 / 362880, 1 / 40320, 1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5])
    p = p * r + c;
  const y = 1 + (hi - (lo - r * r * p));
  if (k > 1023) return y * pow2(1023) * pow2(k - 1023);
  if (k < -1022) return y * pow2(k + 1000) * pow2(-1000);
  return y * pow2(k);
}

export function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO54; // subnormal: normalise first
    e = -54;
  }
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)).
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  e += (high >>> 20) - 1023;
  view.setUint32(0, (high & 0x000fffff) | 0x3ff00000);
  let m = view.getFloat64(0);
  if (m > Math.SQRT2) {
    m *= 0.5;
    e += 1;
  }
  // log m = 2 atanh(s) with s = f / (2 + f), f = m - 1 (exact), rearranged as f - (f^2/2 - s (f^2/2 + R))
  // where R = 2 s^2/3 + 2 s^4/5 + ..., so that the large terms are added last.
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  let R = 2 / 23;
  for (let n = 21; n >= 3; n -= 2) R = R * z + 2 / n;
  R *= z;
  const hfsq = 0.5 * f * f;
  return e * LN2_HI - (hfsq - (s * (hfsq + R) + e * LN2_LO) - f);
}

/** log(1 + x), accurate for tiny x: log(u) x / (u - 1) with u = 1 + x corrects the rounding of u. */
export function log1p(x: number): number {
  if (Number.isNaN(x) || x < -1) return NaN;
  if (x === Infinity) return x;
  const u = 1 + x;
  if (u === 1) return x;
  return (log(u) * x) / (u - 1);
}

// The binary container of featpure's files (encoders and training checkpoints): a fixed header, JSON
// metadata, little-endian numeric sections, and a CRC-32 over everything before it. docs/checkpoints.md
// describes the layout. Reading checks, in order, the size of the header, the magic, the format
// version, the total size, the checksum, and only then parses anything, so every damaged file
// fails with a FileFormatError that names the failed check instead of producing wrong numbers.

import { crc32 } from "./crc32.js";

export const MAGIC = "FPUR";
export const FORMAT_VERSION = 1;
/** magic (4), format version (4), metadata length (4), section count (4). */
const HEADER = 16;
const TRAILER = 4;
/** Metadata beyond this is not a file of ours: it guards the allocation a damaged length would cause. */
const MAX_META = 64 * 2 ** 20;

export type SectionData = Float32Array | Float64Array | Int32Array;
export type DType = "f32" | "f64" | "i32";

export interface Section {
  name: string;
  dtype: DType;
  /** Number of elements. */
  length: number;
}

export interface Container {
  meta: Record<string, unknown>;
  sections: Map<string, SectionData>;
}

/** A file that is not a valid featpure file, with what was checked, what was expected and what was found. */
export class FileFormatError extends Error {
  constructor(
    readonly check: string,
    detail: string,
  ) {
    super(`${check}: ${detail}`);
    this.name = "FileFormatError";
  }
}

const WIDTH: Record<DType, number> = { f32: 4, f64: 8, i32: 4 };

function dtypeOf(a: SectionData): DType {
  return a instanceof Float32Array ? "f32" : a instanceof Float64Array ? "f64" : "i32";
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;
/** Files are little-endian; on such hosts (all common ones) sections are copied as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function encodeContainer(meta: Record<string, unknown>, sections: [string, SectionData][]): Uint8Array {
  const table: Section[] = sections.map(([name, a]) => ({ name, dtype: dtypeOf(a), length: a.length }));
  const json = new TextEncoder().encode(JSON.stringify({ ...meta, sections: table }));
  const dataStart = HEADER + json.length + pad8(HEADER + json.length);
  const dataBytes = table.reduce((s, t) => s + WIDTH[t.dtype] * t.length, 0);
  const out = new Uint8Array(dataStart + dataBytes + TRAILER);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  view.setUint32(12, table.length, true);
  out.set(json, HEADER);
  let o = dataStart;
  for (const [, a] of sections) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
      o += a.byteLength;
      continue;
    }
    const w = WIDTH[dtypeOf(a)];
    for (let i = 0; i < a.length; i++, o += w) {
      if (a instanceof Float32Array) view.setFloat32(o, a[i], true);
      else if (a instanceof Float64Array) view.setFloat64(o, a[i], true);
      else view.setInt32(o, a[i], true);
    }
  }
  view.setUint32(o, crc32(out.subarray(0, o)), true);
  return out;
}

function isSectionTable(v: unknown, count: number): v is Section[] {
  return (
    Array.isArray(v) &&
    v.length === count &&
    v.every(
      (s) =>
        typeof s === "object" &&
        s !== null &&
        typeof s.name === "string" &&
        (s.dtype === "f32" || s.dtype === "f64" || s.dtype === "i32") &&
        Number.isInteger(s.length) &&
        s.length >= 0,
    )
  );
}

export function decodeContainer(bytes: Uint8Array): Container {
  if (bytes.length < HEADER + TRAILER) {
    throw new FileFormatError("truncated file", `a featpure file has at least ${HEADER + TRAILER} bytes, this one has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MAGIC)
    throw new FileFormatError("not a featpure file", `expected the magic bytes ${JSON.stringify(MAGIC)}, found ${JSON.stringify(magic)}`);
  const version = view.getUint32(4, true);
  if (version > FORMAT_VERSION) {
    throw new FileFormatError(
      "newer format",
      `the file has format version ${version}; this featpure reads version ${FORMAT_VERSION} (upgrade featpure to read it)`,
    );
  }
  if (version < 1) throw new FileFormatError("bad format version", `expected 1..${FORMAT_VERSION}, found ${version}`);
  const metaLength = view.getUint32(8, true);
  if (metaLength > MAX_META || HEADER + metaLength + TRAILER > bytes.length) {
    throw new FileFormatError(
      "truncated file",
      `the header announces ${metaLength} bytes of metadata but the file has ${bytes.length} bytes in all`,
    );
  }
  const stored = view.getUint32(bytes.length - TRAILER, true);
  const computed = crc32(bytes.subarray(0, bytes.length - TRAILER));
  if (stored !== computed) {
    throw new FileFormatError(
      "checksum mismatch",
      `stored CRC-32 ${hex(stored)}, computed ${hex(computed)}: the file is truncated or corrupt`,
    );
  }
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(HEADER, HEADER + metaLength)));
  } catch (e) {
    throw new FileFormatError("bad metadata", `not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new FileFormatError("bad metadata", "expected a JSON object");
  const count = view.getUint32(12, true);
  const table = meta.sections;
  if (!isSectionTable(table, count))
    throw new FileFormatError("bad section table", `expected ${count} sections with name, dtype (f32, f64, i32) and length`);
  let o = HEADER + metaLength + pad8(HEADER + metaLength);
  const expectedSize = o + table.reduce((s, t) => s + WIDTH[t.dtype] * t.length, 0) + TRAILER;
  if (expectedSize !== bytes.length)
    throw new FileFormatError("wrong size", `the section table needs ${expectedSize} bytes, the file has ${bytes.length}`);
  const sections = new Map<string, SectionData>();
  for (const t of table) {
    const a = t.dtype === "f32" ? new Float32Array(t.length) : t.dtype === "f64" ? new Float64Array(t.length) : new Int32Array(t.length);
    const w = WIDTH[t.dtype];
    if (LITTLE_ENDIAN) {
      new Uint8Array(a.buffer).set(bytes.subarray(o, o + w * t.length));
      o += w * t.length;
    } else {
      for (let i = 0; i < t.length; i++, o += w) {
        a[i] = t.dtype === "f32" ? view.getFloat32(o, true) : t.dtype === "f64" ? view.getFloat64(o, true) : view.getInt32(o, true);
      }
    }
    if (sections.has(t.name)) throw new FileFormatError("bad section table", `section ${JSON.stringify(t.name)} appears twice`);
    sections.set(t.name, a);
  }
  delete meta.sections;
  return { meta, sections };
}

/**
 * The section `name` of `dtype` (with exactly `length` elements when given), or a FileFormatError
 * saying what is missing.
 */
export function section<T extends SectionData>(c: Container, name: string, dtype: DType, length?: number): T {
  const s = c.sections.get(name);
  if (!s) throw new FileFormatError("missing section", `expected a section ${JSON.stringify(name)}`);
  if (dtypeOf(s) !== dtype || (length !== undefined && s.length !== length)) {
    throw new FileFormatError(
      "bad section",
      `${JSON.stringify(name)} should hold ${length ?? "some"} ${dtype} values, it holds ${s.length} ${dtypeOf(s)}`,
    );
  }
  // A checksum only says the bytes are the ones written: weights, moments and dictionaries must also be numbers.
  if (dtype !== "i32") {
    const at = s.findIndex((v) => !Number.isFinite(v));
    if (at >= 0)
      throw new FileFormatError(
        "bad values",
        `${JSON.stringify(name)} holds ${s[at]} at index ${at}; every stored weight must be a finite number`,
      );
  }
  return s as T;
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

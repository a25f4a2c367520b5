// One linear memory for everything the kernels touch. TypeScript owns the layout: buffers are
// bump-allocated, 16-byte aligned (one v128), and never freed individually; `reset` rewinds to a mark.

export interface Buf {
  readonly ptr: number; // byte offset
  readonly len: number; // number of 4-byte elements
}

const PAGE = 65536;
const ALIGN = 16;

export class Arena {
  private top: number;
  private high: number;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
    readonly maxBytes: number,
  ) {
    this.top = align(base);
    this.high = this.top;
  }

  get used(): number {
    return this.top;
  }

  /** The most that has been in use at once (scratch that was reset included). */
  get peak(): number {
    return this.high;
  }

  alloc(len: number, what = "buffer"): Buf {
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`arena: bad length ${len} for ${what}`);
    const ptr = this.top;
    const end = align(ptr + 4 * len);
    if (end > this.maxBytes) {
      throw new RangeError(
        `arena: ${what} needs ${fmtBytes(end)} of WASM memory in all, over the limit of ${fmtBytes(this.maxBytes)}; ` +
          "reduce the batch, the evaluation set, the width, the dimension or the thread count (each thread holds a kernel scratch block)",
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    this.high = Math.max(this.high, end);
    new Uint8Array(this.memory.buffer, ptr, end - ptr).fill(0);
    return { ptr, len };
  }

  // Float32Array view; re-create after any alloc since growing memory detaches old views.
  f32(b: Buf): Float32Array {
    return new Float32Array(this.memory.buffer, b.ptr, b.len);
  }

  i32(b: Buf): Int32Array {
    return new Int32Array(this.memory.buffer, b.ptr, b.len);
  }

  mark(): number {
    return this.top;
  }

  reset(mark: number): void {
    this.top = mark;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function fmtBytes(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

// Training loops are synchronous WASM calls; without a pause now and then, a Ctrl-C (or a browser's
// UI) would wait until training ends. A pacer gives the event loop a turn every `everyMs`.

const turn: () => Promise<void> =
  typeof setImmediate === "function" ? () => new Promise((r) => setImmediate(r)) : () => new Promise((r) => setTimeout(r, 0));

export function makePacer(everyMs = 50): () => Promise<void> | null {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < everyMs) return null;
    last = now;
    return turn();
  };
}

// Node 20 runs relaxed SIMD only behind a V8 flag. Processes that run experiments (the CLI and the
// sweep workers it forks) set it before any module compiles, so "auto" resolves to the same relaxed
// build in all of them and a sweep cell reruns bit for bit with `featpure run`. The library itself
// never sets it and falls back to plain SIMD.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");

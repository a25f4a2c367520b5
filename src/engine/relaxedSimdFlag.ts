// Node 20 runs relaxed SIMD only behind a V8 flag. The engine sets it itself before the first
// compile that needs it (src/engine/wasm.ts), so importing this module first is no longer needed;
// it remains for the worker processes that still import it and changes nothing for them.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");

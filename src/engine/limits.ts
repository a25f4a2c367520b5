// The engine's hard limits: constants alone, so that the configuration's schema and the front ends
// can state them without loading the engine.

/** Default (and the configuration's) limit on one engine's linear memory. */
export const ENGINE_MEMORY_LIMIT_MIB = 2048;
export const ENGINE_MEMORY_LIMIT_BYTES = ENGINE_MEMORY_LIMIT_MIB * 2 ** 20;
/** Most kernel threads an engine takes: each holds a worker and its stack, so the count is bounded. */
export const MAX_THREADS = 64;
/** Threads that threads = 0 ("one per core") asks for: past 8, a default-size batch has too few rows per thread to gain. */
export const AUTO_THREADS_MAX = 8;
/** The kernels' per-instance scratch (scratchBytes() of the SIMD builds), one block per thread. */
export const KERNEL_SCRATCH_BYTES = 2048 + 16 * 16384 + 524288;

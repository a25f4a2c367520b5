// Binary tasks on the digits. Each labels every one of the ten digits, so every pool of images
// serves every task and a pool's size is exactly what the user asked for.
import type { MnistTask } from "../config/types.js";

/** The digits labelled +1; all others are -1. */
export const MNIST_TASKS: Readonly<Record<MnistTask, readonly number[]>> = {
  parity: [0, 2, 4, 6, 8],
  "low-high": [0, 1, 2, 3, 4],
  prime: [2, 3, 5, 7],
};

/** Labels in {-1, +1} of digit classes under a task. */
export function taskLabels(task: MnistTask, digits: ArrayLike<number>, out = new Float32Array(digits.length)): Float32Array {
  const positive = MNIST_TASKS[task];
  for (let i = 0; i < digits.length; i++) out[i] = positive.includes(digits[i]) ? 1 : -1;
  return out;
}

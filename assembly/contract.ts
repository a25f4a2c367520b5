// The contract between TypeScript and the kernels, written once: the enumerations kernels take, the
// word layout of every record TypeScript writes for them, the thread pool's control block and its
// table of jobs with each job's thread-split rule. AssemblyScript compiles this file into the WASM
// (the kernels' record classes are checked against these layouts at compile time, beside each class) and
// TypeScript imports the same file (src/engine/), so it holds only what both languages read alike:
// enums, integer constants and functions of them.

/** Hidden-layer activations (assembly/activation.ts). */
export enum Activation { symrelu, relu }

/** Threat models of the attacks (assembly/attack.ts). */
export enum Norm { l2, linf }

/** Losses of the APGD evaluation attack (assembly/apgd.ts). */
export enum ApgdLoss { ce, margin }

/** f32 words of APGD's per-row state (assembly/apgd.ts): step size, best loss, best loss at the last checkpoint, whether it halved, last loss, rises. */
export enum ApgdRowWord { eta, fBest, fCheck, reduced, fPrev, rises, count }

/** Contrastive losses (assembly/contrastive.ts). */
export enum ContrastiveLoss { ntxent, spectral }

/** Words (4 bytes) of a Net record (class Net, assembly/net.ts): parameter pointers, then the shape. */
export enum NetWord { W, thr, A, c, d, m, C, act, count }

/** Words of a Work record (class Work, assembly/net.ts): activation and gradient buffers of a batch. */
export enum WorkWord { pre, h, logits, dlogits, dh, dpre, dx, count }

/** Words of a Ctr record (class Ctr, assembly/contrastive.ts): the objective (tau is an f32), then its scratch. */
export enum CtrWord { loss, normalize, tau, z, norms, sim, dz, scratch, fixed, count }

/** Words of an RngState record (assembly/random.ts): sfc32's u32 state, the spare flag, padding, the f64 spare at word 6. */
export enum RngWord { a, b, c, d, hasSpare, pad, spare, count = 8 }

/**
 * Words of a SparseTask record (assembly/sparseCoding.ts): pointers and sizes, then f64 values from
 * word 6 (threshold = (k / D) 2^32, magnitudeLow, noise).
 */
export enum SparseTaskWord { theta, atoms, D, d, uniformMagnitude, pad, threshold, magnitudeLow = 8, noise = 10, count = 12 }

/** Int32 words of the thread pool's control block (src/engine/threads.ts, assembly/pool.ts). */
export enum Ctrl {
  /** Bumped by the poster to start a job; workers wait on it. */
  seq,
  /** Bumped by each worker that finished a job, after its acknowledgement: a TypeScript poster sleeps on it. */
  done,
  /** The Job, or -1 to stop. */
  kernel,
  /** Number of arguments per thread. */
  argc,
  /** Set by a worker whose kernel threw. */
  failed,
  count,
}

/** f64 argument slots per thread (pointers, sizes and f32 values are all exact in f64). */
export const MAX_ARGS = 18;

/**
 * The jobs a pool thread runs: the exported kernel of the same name on its share. The first seven are
 * posted by TypeScript (src/engine/threads.ts) between kernel calls; the rest from inside a kernel
 * by assembly/pool.ts, for the contrastive objectives, which run their whole attack in one call.
 */
export enum Job {
  pgdAttack, pgdEval, netForward, netBackwardColumns, adamStep, l2StartRows, apgdEval,
  matmulForward, gramRows, ntxentRows, matmulBackward, accumulateRows, gramMirrorRows, symmetrizeRows,
  count,
}

/** How a job's work is cut into one contiguous share per thread. */
export enum Split {
  /** Rows (or, for a weight gradient, units) in equal shares starting at multiples of 4: the row tile of the products. */
  rows,
  /** Hidden units in equal shares starting at multiples of 4 (each thread owns its units' gradient rows). */
  units,
  /** Elements in equal shares starting at multiples of 4, the vector width. */
  elements,
  /** Rows in equal shares anywhere: every row costs the same and is computed alone. */
  anyRows,
  /** Rows cut at multiples of 16 with equal shares of a triangle whose row i costs about N - i. */
  triangleFalling,
  /** As triangleFalling, row i costing about i. */
  triangleRising,
}

/** The split rule of each job. */
export function jobSplit(job: Job): Split {
  switch (job) {
    case Job.netBackwardColumns: return Split.units;
    case Job.adamStep: return Split.elements;
    case Job.ntxentRows: return Split.anyRows;
    case Job.gramRows: return Split.triangleFalling;
    case Job.symmetrizeRows: return Split.triangleFalling;
    case Job.gramMirrorRows: return Split.triangleRising;
    default: return Split.rows;
  }
}

/** Fewest rows or units a thread takes (elements: MIN_ELEMENTS_PER_THREAD): below it, the hand-off costs more than the share saves. */
export const MIN_ITEMS_PER_THREAD = 16;
export const MIN_ELEMENTS_PER_THREAD = 65536;

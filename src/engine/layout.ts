// Descriptor records read by assembly/net.ts (class Net and class Work) and assembly/contrastive.ts
// (class Ctr): 4-byte words in the layouts of assembly/contract.ts.
import type { Arena, Buf } from "./arena.js";
import { CtrWord, NetWord, WorkWord } from "../../assembly/contract.js";
import { ACTIVATION, CONTRASTIVE_LOSS, type Activation, type ContrastiveLoss } from "./kernels.js";

export interface NetParams {
  W: Buf; // (m,d)
  thr: Buf; // (m)
  A: Buf; // (C,m)
  c: Buf | null; // (C) output bias, or none
}

export interface NetShape {
  d: number;
  m: number;
  C: number;
  activation: Activation;
}

/** Writes a Net record: parameters (or their gradients; null pointers mean "not wanted"). */
export function writeNet(arena: Arena, p: { W: Buf | null; thr: Buf | null; A: Buf | null; c: Buf | null }, s: NetShape): Buf {
  const rec = arena.alloc(NetWord.count, "net descriptor");
  const w = arena.i32(rec);
  w[NetWord.W] = p.W?.ptr ?? 0;
  w[NetWord.thr] = p.thr?.ptr ?? 0;
  w[NetWord.A] = p.A?.ptr ?? 0;
  w[NetWord.c] = p.c?.ptr ?? 0;
  w[NetWord.d] = s.d;
  w[NetWord.m] = s.m;
  w[NetWord.C] = s.C;
  w[NetWord.act] = ACTIVATION[s.activation];
  return rec;
}

/** Per-batch activations and gradients for a batch of up to `B` samples. */
export interface Work {
  rec: Buf;
  B: number;
  pre: Buf;
  h: Buf;
  logits: Buf;
  dlogits: Buf;
  dh: Buf;
  dpre: Buf;
  dx: Buf;
}

export function allocWork(arena: Arena, s: NetShape, B: number): Work {
  const w = {
    B,
    pre: arena.alloc(B * s.m, "pre-activations"),
    h: arena.alloc(B * s.m, "activations"),
    logits: arena.alloc(B * s.C, "logits"),
    dlogits: arena.alloc(B * s.C, "logit gradients"),
    dh: arena.alloc(B * s.m, "activation gradients"),
    dpre: arena.alloc(B * s.m, "pre-activation gradients"),
    dx: arena.alloc(B * s.d, "input gradients"),
  };
  const rec = arena.alloc(WorkWord.count, "work descriptor");
  const words = arena.i32(rec);
  for (const f of ["pre", "h", "logits", "dlogits", "dh", "dpre", "dx"] as const) words[WorkWord[f]] = w[f].ptr;
  return { rec, ...w };
}

/** The contrastive objective's record (class Ctr in assembly/contrastive.ts) and its scratch, for B pairs. */
export interface CtrSpec {
  loss: ContrastiveLoss;
  tau: number;
  normalize: boolean;
}

export interface Ctr {
  rec: Buf;
  B: number;
  z: Buf;
  norms: Buf;
  sim: Buf;
  dz: Buf;
  scratch: Buf;
  fixed: Buf;
}

/** f32 words allocCtr takes (src/experiments/memoryBudget.ts counts them). */
export function ctrWords(spec: CtrSpec, m: number, B: number): number {
  const N = 2 * B,
    rows = spec.normalize ? N : 0,
    ntxent = spec.loss !== "spectral";
  return 2 * rows * m + rows + (ntxent ? N * N + 2 * N * m + B * B : B * B) + CtrWord.count;
}

export function allocCtr(arena: Arena, spec: CtrSpec, m: number, B: number): Ctr {
  const N = 2 * B;
  const rows = spec.normalize ? N : 0;
  const c = {
    B,
    z: arena.alloc(rows * m, "normalised representations"),
    norms: arena.alloc(rows, "representation norms"),
    sim: arena.alloc(spec.loss === "spectral" ? B * B : N * N, "similarity matrix"),
    dz: arena.alloc(rows * m, "representation gradients"),
    scratch: arena.alloc(spec.loss === "spectral" ? 0 : 2 * N * m, "contrastive scratch"),
    fixed: arena.alloc(spec.loss === "spectral" ? 0 : B * B, "fixed view's similarities"),
  };
  const rec = arena.alloc(CtrWord.count, "contrastive descriptor");
  const words = arena.i32(rec);
  words[CtrWord.loss] = CONTRASTIVE_LOSS[spec.loss];
  words[CtrWord.normalize] = spec.normalize ? 1 : 0;
  for (const f of ["z", "norms", "sim", "dz", "scratch", "fixed"] as const) words[CtrWord[f]] = c[f].ptr;
  arena.f32(rec)[CtrWord.tau] = spec.tau;
  return { rec, ...c };
}

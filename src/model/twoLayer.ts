// The two-layer network f(x) = sum_j a_j h_j(x) of docs/model.md (Network), with its parameters in the arena.
import type { Arena, Buf } from "../engine/arena.js";
import { writeNet, type NetParams, type NetShape } from "../engine/layout.js";
import type { Rng } from "../rng.js";

export interface TwoLayer {
  shape: NetShape;
  params: NetParams;
  /** Net record for the kernels. */
  rec: Buf;
}

export function allocTwoLayer(arena: Arena, shape: NetShape, outputBias: boolean): TwoLayer {
  const params: NetParams = {
    W: arena.alloc(shape.m * shape.d, "W"),
    thr: arena.alloc(shape.m, "thresholds"),
    A: arena.alloc(shape.C * shape.m, "head"),
    c: outputBias ? arena.alloc(shape.C, "output bias") : null,
  };
  return { shape, params, rec: writeNet(arena, params, shape) };
}

export interface InitSpec {
  initStd: number;
  headInitStd: number;
  thresholdInit: number;
}

export function initTwoLayer(arena: Arena, net: TwoLayer, spec: InitSpec, rng: Rng): void {
  rng.fillNormal(arena.f32(net.params.W), spec.initStd);
  arena.f32(net.params.thr).fill(spec.thresholdInit);
  rng.fillNormal(arena.f32(net.params.A), spec.headInitStd);
  if (net.params.c) arena.f32(net.params.c).fill(0);
}

/**
 * A network that shares the frozen hidden layer of `encoder` and puts a new head on it: the
 * downstream model. Only the head lives in new buffers.
 */
export function withHead(arena: Arena, encoder: TwoLayer, A: Float32Array, c: number): TwoLayer {
  const shape = { ...encoder.shape, C: 1 };
  const params: NetParams = {
    W: encoder.params.W,
    thr: encoder.params.thr,
    A: arena.alloc(encoder.shape.m, "downstream head"),
    c: arena.alloc(1, "downstream bias"),
  };
  arena.f32(params.A).set(A);
  arena.f32(params.c!)[0] = c;
  return { shape, params, rec: writeNet(arena, params, shape) };
}

/** A copy of the weights, safe to keep after the arena is gone. */
export function snapshot(arena: Arena, net: TwoLayer): { W: Float32Array; thr: Float32Array; A: Float32Array; c: Float32Array | null } {
  const p = net.params;
  return { W: arena.f32(p.W).slice(), thr: arena.f32(p.thr).slice(), A: arena.f32(p.A).slice(), c: p.c ? arena.f32(p.c).slice() : null };
}

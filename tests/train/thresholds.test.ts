// Free thresholds (config model.thresholdClamp "none"): a negative threshold makes both terms of the
// symmetric ReLU active on |p| < -t, and the reference's derivatives (which the kernels match,
// tests/kernels/kernels-layers.test.ts) are those of the function there too, checked by central differences.
import { describe, expect, it } from "vitest";
import * as refAct from "../reference/activation.js";
import { resolveConfig } from "../../src/config/validate.js";
import { expectClose, numericGrad, Rand } from "../kernels/kernels-harness.js";

describe("activation with thresholds of both signs", () => {
  it.each([
    [0, "symmetric ReLU"],
    [1, "ReLU"],
  ])("kind %i (%s): derivatives in p and t match central differences", (kind) => {
    const r = new Rand(77 + kind),
      B = 4,
      M = 9;
    // away from the kinks p = t and p = -t, by at least 0.05
    const thr = Float64Array.from({ length: M }, (_, j) => (j % 3 === 0 ? 0.2 : -0.3) + 0.01 * j);
    const pre = r.vec(B * M, -1, 1).map((p, i) => {
      const t = thr[i % M];
      return Math.abs(p - t) < 0.05 || Math.abs(p + t) < 0.05 ? p + 0.12 : p;
    });
    const dout = r.vec(B * M);
    const loss = () => {
      const out = new Float64Array(B * M);
      refAct.activationForward(out, pre, thr, B, M, kind);
      return out.reduce((s, h, i) => s + h * dout[i], 0);
    };
    const dpre = new Float64Array(B * M),
      dthr = new Float64Array(M);
    refAct.activationBackward(dpre, dthr, dout, pre, thr, B, M, kind, 0);
    expectClose(dpre, numericGrad(loss, pre), 1e-6, "dL/dp");
    expectClose(dthr, numericGrad(loss, thr), 1e-6, "dL/dt");
    // the overlap is reached: some symmetric-ReLU derivative is 2
    if (kind === 0) expect(Array.from(dpre).some((g, i) => Math.abs(g - 2 * dout[i]) < 1e-12)).toBe(true);
  });

  it("the clamp is an option of trained thresholds, nonneg by default", () => {
    expect(resolveConfig({}).model.thresholdClamp).toBe("nonneg");
    expect(resolveConfig({ model: { thresholdClamp: "none" } }).model.thresholdClamp).toBe("none");
    expect(() => resolveConfig({ model: { thresholdClamp: "relu" as "none" } })).toThrow(/thresholdClamp/);
  });
});

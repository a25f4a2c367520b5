// Checks shared by the readers of featpure's file kinds (encoders and checkpoints).
import { ConfigError, resolveConfig } from "../config/validate.js";
import type { Config } from "../config/types.js";
import type { CurvePoint } from "../train/curve.js";
import { FileFormatError, type Container } from "../files/container.js";

export type FileKind = "encoder" | "checkpoint";

export function expectKind(c: Container, kind: FileKind): void {
  if (c.meta.kind !== kind) {
    const found = typeof c.meta.kind === "string" ? `${article(c.meta.kind)} ${c.meta.kind} file` : "a file of no known kind";
    throw new FileFormatError("wrong kind of file", `expected ${article(kind)} ${kind} file, found ${found}`);
  }
}

/** The stored configuration, validated by the one schema like any other. */
export function storedConfig(c: Container): Config {
  try {
    return resolveConfig(c.meta.config);
  } catch (e) {
    if (e instanceof ConfigError)
      throw new FileFormatError("bad stored configuration", e.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    throw e;
  }
}

const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);

export function storedCurve(v: unknown): CurvePoint[] {
  const ok =
    Array.isArray(v) &&
    v.every(
      (p) =>
        typeof p === "object" &&
        p !== null &&
        Number.isInteger(p.step) &&
        isNum(p.loss) &&
        isNum(p.cleanAccuracy) &&
        (p.adversarialAccuracy === null || isNum(p.adversarialAccuracy)),
    );
  if (!ok)
    throw new FileFormatError("bad metadata", "the training curve must be a list of {step, loss, cleanAccuracy, adversarialAccuracy}");
  return v as CurvePoint[];
}

export function isArm(v: unknown): v is "clean" | "adv" {
  return v === "clean" || v === "adv";
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}

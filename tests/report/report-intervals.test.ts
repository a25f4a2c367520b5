// Intervals of accuracies and purities stay inside [0, 1], and a value that rounds to zero prints
// as 0.000, never -0.000.
import { describe, expect, it } from "vitest";
import { seedTable } from "../../src/report/seedTables.js";
import { tInterval, withinRange } from "../../src/report/statistics.js";
import { resultLine } from "./report-fixtures.js";

const base = { purity: 0.5, participation: 10, preClean: 0.9, preRobust: 0.5, downClean: 0.9, downRobust: 0.4 };

describe("intervals of bounded quantities", () => {
  it("withinRange cuts a t-interval that spills past the range and leaves one inside alone", () => {
    const spill = tInterval([1, 1, 0.99]);
    expect(spill.hi).toBeGreaterThan(1);
    expect(withinRange(spill, [0, 1])).toMatchObject({ mean: spill.mean, lo: spill.lo, hi: 1 });
    const inside = tInterval([0.5, 0.6, 0.55]);
    expect(withinRange(inside, [0, 1])).toEqual(inside);
  });

  it("seed tables print accuracy intervals inside [0, 1] and no -0.000", () => {
    const lines = [1, 0.995, 0.98].map((acc, i) =>
      resultLine(
        i + 1,
        { ...base, preClean: acc, downRobust: [0.0104, 0.01, 0.0101][i] },
        { ...base, purity: [0, 0.0003, 0][i], downClean: acc },
      ),
    );
    const t = seedTable(lines);
    const numbers = t.rows
      .slice(1)
      .filter((r) => !r[0].startsWith("participation"))
      .flatMap(
        (r) =>
          r
            .slice(1)
            .join(" ")
            .match(/-?\d+\.\d+/g) ?? [],
      );
    expect(numbers.length).toBeGreaterThan(20);
    for (const n of numbers) expect(Number(n) >= 0 && Number(n) <= 1, n).toBe(true);
    expect(t.rows.map((r) => r.join(" ")).join("\n")).not.toContain("-0.000");
    expect(t.rows.find((r) => r[0] === "pre-training: clean accuracy")![1]).toMatch(/^0\.992 \[0\.9\d\d, 1\.000\]$/);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalJson, configKey, expandGrid, SweepInputError, parseGrid, parseShard, shardCells } from "../../src/sweep/grid.js";
import { resolveConfig } from "../../src/config/validate.js";
import { SCHEMA } from "../../src/config/schema.js";
import { reproduceGrid, REPRODUCE_PRESET } from "../../src/sweep/reproduce.js";

const spec = parseGrid({ base: { model: { width: 16 } }, grid: { "adv.eps": [0, 0.1, 0.2], "model.width": [8, 32], seed: [1, 2] } });

describe("sweep grid", () => {
  it("expands to the cartesian product, last field fastest, over the base", () => {
    const cells = expandGrid(spec);
    expect(cells).toHaveLength(12);
    expect(cells.map((c) => c.index)).toEqual([...Array(12).keys()]);
    expect(cells[0].values).toEqual({ "adv.eps": 0, "model.width": 8, seed: 1 });
    expect(cells[1].values).toEqual({ "adv.eps": 0, "model.width": 8, seed: 2 });
    expect(cells[2].values).toEqual({ "adv.eps": 0, "model.width": 32, seed: 1 });
    expect(cells[11].values).toEqual({ "adv.eps": 0.2, "model.width": 32, seed: 2 });
    for (const c of cells) {
      expect(c.config.adv.eps).toBe(c.values["adv.eps"]);
      expect(c.config.model.width).toBe(c.values["model.width"]);
      expect(c.config.seed).toBe(c.values.seed);
      expect(c.config.optim.steps).toBe(SCHEMA.optim.steps.default);
    }
    expect(new Set(cells.map((c) => c.key)).size).toBe(12);
  });

  it("keys a cell by its resolved configuration, whatever the key order or the layer that set it", () => {
    const a = resolveConfig({ seed: 3, adv: { eps: 0.1, norm: "l2" } });
    const b = resolveConfig({ adv: { norm: "l2", eps: 0.1 } }, { seed: 3 });
    expect(configKey(a)).toBe(configKey(b));
    expect(configKey(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(configKey(resolveConfig({ seed: 4 }))).not.toBe(configKey(resolveConfig({ seed: 3 })));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it("rejects unknown fields, empty lists and invalid values, naming them", () => {
    expect(() => parseGrid({ grid: { "adv.epz": [1] } })).toThrow(/grid\.adv\.epz: unknown config field/);
    expect(() => parseGrid({ grid: { "adv.eps": [] } })).toThrow(/non-empty list/);
    expect(() => parseGrid({ base: { model: { width: 0 } }, grid: {} })).toThrow(/base\.model\.width: must be an integer/);
    expect(() => parseGrid({ grid: {}, extra: 1 })).toThrow(/unknown key "extra"/);
    expect(() => parseGrid([])).toThrow(SweepInputError);
    expect(() => expandGrid(parseGrid({ grid: { "adv.eps": [0.1, -1] } }))).toThrow(
      /cell 1 \{"adv.eps":-1\}: adv.eps: must be a number in \[0, 100\]/,
    );
  });

  it("applies overlays to the cells they match, under the grid's own values", () => {
    const cells = expandGrid(
      parseGrid({
        base: { model: { width: 16 } },
        grid: { "adv.eps": [0.1, 0.2], seed: [1, 2] },
        overlays: [
          { when: { "adv.eps": 0.2 }, set: { model: { width: 8 }, adv: { eps: 5 } } },
          { when: { "adv.eps": 0.2, seed: 2 }, set: { optim: { lr: 0.5 } } },
        ],
      }),
    );
    expect(cells.map((c) => [c.config.adv.eps, c.config.seed, c.config.model.width, c.config.optim.lr])).toEqual([
      [0.1, 1, 16, 0.01],
      [0.1, 2, 16, 0.01],
      [0.2, 1, 8, 0.01],
      [0.2, 2, 8, 0.5],
    ]);
    expect(() => parseGrid({ grid: { seed: [1] }, overlays: [{ when: { mode: "supervised" }, set: {} }] })).toThrow(
      /overlays\[0\]\.when\.mode: not a path of the grid/,
    );
    expect(() => parseGrid({ grid: { seed: [1] }, overlays: [{ when: { seed: 1 }, set: { model: { width: -1 } } }] })).toThrow(
      /overlays\[0\]\.set\.model\.width/,
    );
  });

  it("shards partition the grid exactly", () => {
    const cells = expandGrid(spec);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), (n) => {
        const shards = Array.from({ length: n }, (_, i) => shardCells(cells, { index: i, count: n }));
        const all = shards
          .flat()
          .map((c) => c.index)
          .sort((x, y) => x - y);
        expect(all).toEqual(cells.map((c) => c.index));
        for (const s of shards) expect(s.length).toBeGreaterThanOrEqual(Math.floor(cells.length / n));
      }),
    );
    expect(parseShard("2/5")).toEqual({ index: 2, count: 5 });
    for (const bad of ["5/5", "1/0", "a/2", "-1/3", "1"]) expect(() => parseShard(bad), bad).toThrow(/--shard: must be i\/n/);
  });

  it("reproduce runs every mode of the schema over seeds with ordinary config fields", () => {
    const g = reproduceGrid(3, { model: { width: 8 } });
    expect(g.grid).toEqual({ mode: [...SCHEMA.mode.values], seed: [1, 2, 3] });
    const cells = expandGrid(parseGrid(g));
    expect(cells).toHaveLength(3 * SCHEMA.mode.values.length);
    for (const c of cells) {
      expect(c.config.train).toBe("both");
      expect(c.config.model.width).toBe(8);
      expect(c.config.eval.n).toBe(REPRODUCE_PRESET.eval!.n);
      expect(resolveConfig(JSON.parse(JSON.stringify(c.config)))).toEqual(c.config); // reruns with run --config
    }
  });
});

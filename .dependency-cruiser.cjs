// The layering of featpure, checked by dependency-cruiser in `npm test` (tests/project/layers.test.ts): no
// import cycles, and imports only downwards through
//   assembly -> engine -> data, model, train, attacks, metrics, io -> experiments -> api -> cli, web, sweep, report, bin, benchmarks
// with src/config (the typed configuration) and the shared leaves (src/rng.ts, src/math/, src/files/,
// src/runtime.ts, src/version.ts) below everything in src. Modules of one layer may import each
// other (the cycle rule still holds). Type-only imports count like any other: a type is a dependency.
// Tests (tests/, with the f64 oracles in tests/reference/) are not checked.

const LEAVES = "^src/(rng|runtime|version)\\.ts$|^src/(math|files)/";
const LAYERS = [
  { name: "assembly", path: "^assembly/" },
  { name: "leaves", path: LEAVES },
  { name: "config", path: "^src/config/" },
  { name: "engine", path: "^src/engine/" },
  { name: "domain", path: "^src/(data|model|train|attacks|metrics|io)/" },
  { name: "experiments", path: "^src/experiments/" },
  { name: "api", path: "^src/api\\.ts$" },
  { name: "front ends", path: "^src/(cli|sweep|report)/|^bin/|^web/|^benchmarks/" },
];
// What each layer may import, besides itself: assembly stands alone (it is AssemblyScript, compiled
// apart); the leaves import only leaves; every TypeScript layer above them may import any lower one.
const BELOW = {
  assembly: [],
  leaves: [],
  config: ["leaves"],
  engine: ["assembly", "leaves", "config"],
  domain: ["assembly", "leaves", "config", "engine"],
  experiments: ["assembly", "leaves", "config", "engine", "domain"],
  api: ["assembly", "leaves", "config", "engine", "domain", "experiments"],
  "front ends": ["assembly", "leaves", "config", "engine", "domain", "experiments", "api"],
};

const layerPath = (name) => LAYERS.find((l) => l.name === name).path;
const CHECKED = "^(src|bin|web|benchmarks|assembly)/";

function layerRule(layer) {
  const below = BELOW[layer.name];
  return {
    name: `layer-${layer.name.replace(" ", "-")}`,
    comment: `${layer.name} may import only ${below.join(", ") || "itself"} (the layer order of .dependency-cruiser.cjs)`,
    severity: "error",
    from: { path: layer.path },
    to: { path: CHECKED, pathNot: [layer.path, ...below.map(layerPath)] },
  };
}

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle: the modules cannot be understood, tested or loaded one at a time.",
      severity: "error",
      from: { path: CHECKED },
      to: { circular: true },
    },
    ...LAYERS.map(layerRule),
  ],
  options: {
    // TypeScript 7 (the native compiler) has no JavaScript API, so swc parses the sources.
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|build|tests)/" },
  },
};

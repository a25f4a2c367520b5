// as-pect runs the kernel specs in tests/assembly against the SIMD build of assembly/ (asc with
// --enable simd, from as-pect.asconfig.json beside this file).
export default {
  entries: ["tests/assembly/**/*.spec.ts"],
  include: ["tests/assembly/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};

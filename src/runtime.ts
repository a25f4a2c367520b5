// Which runtime the library is in, decided once. vite.config.ts defines __FEATPURE_BROWSER__ as true
// in the browser bundle, so every Node-only branch guarded by `isNode` drops out of that bundle.
declare const __FEATPURE_BROWSER__: boolean | undefined;

export const browserBundle = typeof __FEATPURE_BROWSER__ === "boolean" && __FEATPURE_BROWSER__;
export const isNode = !browserBundle && typeof process !== "undefined" && typeof process.versions?.node === "string";

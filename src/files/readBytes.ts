// Reading a whole file (Node only). Kept in its own module so that browser bundles, which import it
// lazily and never call it, carry no file-system code.
import { readFileSync } from "node:fs";

export function readBytes(path: string | URL): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

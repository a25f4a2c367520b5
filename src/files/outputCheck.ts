// Whether an output can be written, asked before any work starts, so that a long run is never lost
// to a path that fails at the end. Folders are never created: a missing one is a typo as often as not.
import { rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Whether a file can be created in `dir`: tried for real, as permissions alone do not tell (read-only mounts, root). */
function writableFolder(dir: string): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return `the folder ${dir} does not exist (featpure does not create folders)`;
  }
  if (!isDir) return `${dir} is not a folder`;
  const probe = join(dir, `.featpure-write-check-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
    return null;
  } catch (e) {
    return `cannot write in the folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/** The problem with writing the file `path` (atomically, through a temporary file beside it), or null. */
export function outputFileProblem(path: string): string | null {
  const target = resolve(path);
  try {
    if (statSync(target).isDirectory()) return `${path} is a folder, not a file`;
  } catch {
    // absent: the folder decides
  }
  return writableFolder(dirname(target));
}

/** The problem with writing files into the folder `path`, or null. */
export function outputFolderProblem(path: string): string | null {
  return writableFolder(resolve(path));
}

// One writer per results file. Two sweeps appending to one file would each skip only the cells that
// were finished when it started, so both would run every cell. A lock file beside the results names
// the process holding it (pid, host, command); the holder touches it every few seconds, so a lock
// whose holder died is recognised: at once on the same host (its pid is gone), and from any host once
// it has not been touched for STALE_MS (a node that crashed, a job requeued elsewhere).
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { isRunning } from "../files/atomic.js";
import { outputFileProblem } from "../files/outputCheck.js";
import { SweepInputError } from "./grid.js";

const HEARTBEAT_MS = 5_000;
/** Far above the heartbeat, so that a busy machine or a shared file system's clock skew does not expire a live lock. */
export const STALE_MS = 60_000;

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  command: string;
}

export interface OutputLock {
  path: string;
  /** The stale lock this one replaced, if any (to say so). */
  replaced: LockHolder | null;
  release(): void;
}

const describe = (h: LockHolder) => `featpure (pid ${h.pid} on ${h.host}, since ${h.since}: ${h.command})`;

/**
 * Checks that `path` can be written (its folder exists, it is not a folder itself) and takes its lock,
 * before any work starts. Every refusal is a SweepInputError naming `option`.
 */
export function lockOutput(option: string, path: string): OutputLock {
  const target = resolve(path);
  const refuse = (why: string): never => {
    throw new SweepInputError(`${option} ${path}: ${why}`);
  };
  checkWritable(path, refuse);
  const lockPath = `${target}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    command: `featpure ${process.argv.slice(2).join(" ")}`,
  };
  const mine = JSON.stringify(me) + "\n";
  // Written whole under a private name, then linked into place: link fails if the lock exists, so
  // taking it is atomic, and a reader never sees half a lock.
  const draft = `${lockPath}.${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(draft, mine);
  } catch (e) {
    refuse(`cannot write in ${dirname(target)}: ${(e as Error).message}`);
  }
  let replaced: LockHolder | null = null;
  try {
    if (!tryLink(draft, lockPath)) {
      const { text, holder } = readLock(lockPath);
      if (text !== null && !isStale(holder, lockPath)) {
        refuse(
          holder
            ? `in use by ${describe(holder)}. Two sweeps on one file would both run every cell; wait for it, or give this one another ${option}. If that process is gone, delete ${lockPath}`
            : `locked by ${lockPath}, which is not a featpure lock file; delete it if no sweep uses ${path}`,
        );
      }
      if (text !== null) {
        takeOver(lockPath, text, refuse);
        replaced = holder;
      }
      if (!tryLink(draft, lockPath)) refuse(`another sweep took ${lockPath} at the same moment; run one sweep per file`);
    }
  } finally {
    rmSync(draft, { force: true });
  }
  const beat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(lockPath, now, now);
    } catch {
      // A deleted lock is the user's decision; the sweep goes on.
    }
  }, HEARTBEAT_MS);
  beat.unref();
  const release = () => {
    clearInterval(beat);
    process.off("exit", release);
    if (readLock(lockPath).text === mine) rmSync(lockPath, { force: true });
  };
  process.on("exit", release);
  return { path: lockPath, replaced, release };
}

function checkWritable(path: string, refuse: (why: string) => never): void {
  const problem = outputFileProblem(path);
  if (problem) refuse(problem);
  if (!existsSync(path)) return;
  try {
    closeSync(openSync(path, "r+")); // changes nothing; fails where appending would
  } catch (e) {
    refuse(`cannot be written: ${(e as Error).message}`);
  }
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

function readLock(path: string): { text: string | null; holder: LockHolder | null } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { text: null, holder: null };
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    const valid = typeof h === "object" && h !== null && Number.isInteger(h.pid) && typeof h.host === "string";
    return { text, holder: valid ? h : null };
  } catch {
    return { text, holder: null };
  }
}

function isStale(holder: LockHolder | null, lockPath: string): boolean {
  if (holder && holder.host === hostname() && !isRunning(holder.pid)) return true;
  let touched: number;
  try {
    touched = statSync(lockPath).mtimeMs;
  } catch {
    return true;
  }
  return Date.now() - touched > STALE_MS;
}

/** Moves the stale lock aside; if another process replaced it meanwhile, puts that one back and refuses. */
function takeOver(lockPath: string, staleText: string, refuse: (why: string) => never): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // already gone: another process removed it
  }
  const moved = readFileSync(aside, "utf8");
  if (moved !== staleText) {
    tryLink(aside, lockPath);
    rmSync(aside, { force: true });
    refuse(`another sweep took ${lockPath} at the same moment; run one sweep per file`);
  }
  rmSync(aside, { force: true });
}

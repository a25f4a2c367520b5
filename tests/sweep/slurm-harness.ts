// A single-node Slurm cluster for the tests, from Debian's packages (slurmctld, slurmd, munge): its
// own munge key, slurm.conf, ports and spool folders in a temporary folder, daemons started and
// stopped here. Where the daemons cannot start, a stand-in runs each array task of a script as its
// own process with the variables Slurm sets, so the script and the merge are still exercised.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, hostname } from "node:os";
import { join } from "node:path";

export type TaskState = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | string;

export interface Scheduler {
  kind: "slurm" | "stand-in";
  /** Submits a batch script from `cwd` (extra: sbatch options that override the script's). Returns the job id. */
  submit(script: string, cwd: string, extra?: string[]): string;
  /** The state and exit code ("code:signal") of each array task of a job. */
  tasks(job: string): Map<number, { state: TaskState; exitCode: string }>;
  cancel(job: string, task: number): void;
  /** Once a cancelled or finished task's processes are gone, puts it back in the queue to run again at once. */
  requeue(job: string, task: number): Promise<void>;
  /** Waits until no task of the job is pending or running. */
  wait(job: string, timeoutMs?: number): Promise<void>;
  /** Cancels what still runs, lets the jobs end, and stops the daemons. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
  const r = spawnSync(cmd, args, { env, cwd, encoding: "utf8", timeout: 30_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The pid a daemon writes once it runs (a moment after its command returns). */
async function pidIn(file: string): Promise<number> {
  for (let t = 0; !existsSync(file); t += 50) {
    if (t > 10_000) throw new Error(`no ${file} after 10 s`);
    await sleep(50);
  }
  return Number(readFileSync(file, "utf8").trim());
}

/** Running, and not a zombie (a daemon's parent is init, which may never reap it here). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Starts munged, slurmctld and slurmd in `dir`. Returns the scheduler, or the reason it cannot start
 * (a missing package, or the daemon's own error from its log).
 */
export async function startSlurm(dir: string): Promise<Scheduler | { reason: string }> {
  for (const bin of ["munged", "mungekey", "slurmctld", "slurmd", "sbatch"]) {
    if (spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0)
      return { reason: `${bin} is not installed (apt-get install slurmctld slurmd slurm-client munge)` };
  }
  for (const d of ["munge", "ctld", "d", "log"]) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  const socket = join(dir, "munge", "socket");
  const node = hostname().split(".")[0];
  const conf = join(dir, "slurm.conf");
  const env = { ...process.env, SLURM_CONF: conf };
  const pids = { munge: join(dir, "munge", "pid"), ctld: join(dir, "ctld.pid"), d: join(dir, "d.pid") };
  const daemons: number[] = [];
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  // A test process that ends without stop() (killed, timed out) takes its daemons with it.
  const killDaemons = () => daemons.forEach((pid) => signal(pid, "SIGKILL"));
  process.once("exit", killDaemons);
  const stopDaemons = async () => {
    process.off("exit", killDaemons);
    for (const pid of [...daemons].reverse()) {
      signal(pid, "SIGTERM");
      for (let t = 0; t < 5_000 && isAlive(pid); t += 100) await sleep(100);
      if (isAlive(pid)) signal(pid, "SIGKILL");
    }
  };
  try {
    run("mungekey", ["--create", "--keyfile", join(dir, "munge", "munge.key"), "--force"], env);
    run(
      "munged",
      [
        "--force",
        `--key-file=${join(dir, "munge", "munge.key")}`,
        `--socket=${socket}`,
        `--pid-file=${pids.munge}`,
        `--log-file=${join(dir, "log", "munged.log")}`,
        `--seed-file=${join(dir, "munge", "seed")}`,
      ],
      env,
    );
    daemons.push(await pidIn(pids.munge));
    // Daemons and jobs run as root with no cgroups, process tracking by parent pid, and no accounting:
    // what a container allows, and all a job array needs.
    writeFileSync(
      conf,
      [
        "ClusterName=featpure-test",
        `SlurmctldHost=${node}(127.0.0.1)`,
        `SlurmctldPort=${await freePort()}`,
        `SlurmdPort=${await freePort()}`,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${join(dir, "ctld")}`,
        `SlurmdSpoolDir=${join(dir, "d")}`,
        `SlurmctldPidFile=${pids.ctld}`,
        `SlurmdPidFile=${pids.d}`,
        `SlurmctldLogFile=${join(dir, "log", "slurmctld.log")}`,
        `SlurmdLogFile=${join(dir, "log", "slurmd.log")}`,
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        "SchedulerType=sched/builtin",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "ReturnToService=2",
        "MpiDefault=none",
        "KillWait=5",
        `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
        `PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4`,
        "",
      ].join("\n"),
    );
    run("slurmctld", ["-f", conf, "-i"], env);
    daemons.push(await pidIn(pids.ctld));
    run("slurmd", ["-f", conf, "-N", node], env);
    daemons.push(await pidIn(pids.d));
    for (let t = 0; ; t += 200) {
      const state = spawnSync("sinfo", ["-h", "-o", "%T"], { env, encoding: "utf8" }).stdout?.trim();
      if (state === "idle") break;
      if (t > 30_000) throw new Error(`the node stayed ${JSON.stringify(state)} for 30 s`);
      await sleep(200);
    }
  } catch (e) {
    await stopDaemons();
    const logs = ["slurmd.log", "slurmctld.log", "munged.log"].map((f) => join(dir, "log", f)).filter(existsSync);
    const errors = logs.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => /error|fatal/i.test(l))
        .slice(-3),
    );
    return { reason: `${(e as Error).message}${errors.length ? `\n${errors.join("\n")}` : ""}` };
  }

  const tasks = (job: string) => {
    const out = new Map<number, { state: TaskState; exitCode: string }>();
    for (const line of run("scontrol", ["-o", "show", "job", job], env).split("\n")) {
      const id = /ArrayTaskId=(\d+)\b/.exec(line)?.[1];
      if (id === undefined) continue;
      out.set(Number(id), { state: /JobState=(\S+)/.exec(line)![1], exitCode: /ExitCode=(\S+)/.exec(line)![1] });
    }
    return out;
  };
  return {
    kind: "slurm",
    submit: (script, cwd, extra = []) =>
      run("sbatch", ["--parsable", ...extra, script], env, cwd)
        .trim()
        .split(";")[0],
    tasks,
    cancel: (job, task) => void run("scancel", [`${job}_${task}`], env),
    async requeue(job, task) {
      // Refused while the task is still completing (its processes being killed).
      for (let t = 0; spawnSync("scontrol", ["requeue", `${job}_${task}`], { env }).status !== 0; t += 200) {
        if (t > 30_000) run("scontrol", ["requeue", `${job}_${task}`], env);
        await sleep(200);
      }
      // A requeued job waits about two minutes before it may start again; a test has no such time.
      run("scontrol", ["update", `jobid=${job}_${task}`, "StartTime=now"], env);
    },
    async wait(job, timeoutMs = 240_000) {
      for (let t = 0; run("squeue", ["-h", "-r", "-j", job], env).trim() !== ""; t += 200) {
        if (t > timeoutMs)
          throw new Error(`job ${job} still queued or running after ${timeoutMs} ms:\n${run("squeue", ["-r", "-j", job], env)}`);
        await sleep(200);
      }
    },
    async stop() {
      // Daemons stopped under running jobs leave their step daemons waiting for a controller that is gone.
      spawnSync("scancel", ["--user", "root", "--full"], { env });
      for (let t = 0; t < 20_000 && spawnSync("squeue", ["-h"], { env, encoding: "utf8" }).stdout?.trim(); t += 200) await sleep(200);
      await stopDaemons();
    },
  };
}

/**
 * Runs array tasks as Slurm would hand them out on one node, each `bash script` in its own process
 * group with SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID and SLURM_CPUS_PER_TASK, its output appended to
 * the file of the script's --output (%A job, %a task).
 */
export function standIn(): Scheduler {
  interface Task {
    child: ChildProcess;
    exited: Promise<void>;
    state: TaskState;
    exitCode: string;
    script: string;
    cwd: string;
    extra: string[];
  }
  const jobs = new Map<string, Map<number, Task>>();
  let next = 1;
  const directive = (script: string, cwd: string, name: string, extra: string[]) => {
    const lines = [...extra.map((e) => `#SBATCH ${e}`), ...readFileSync(join(cwd, script), "utf8").split("\n")];
    return lines.map((l) => new RegExp(`^#SBATCH --${name}=(\\S+)`).exec(l)?.[1]).find((v) => v !== undefined);
  };
  const start = (job: string, index: number, script: string, cwd: string, extra: string[]): Task => {
    const output = (directive(script, cwd, "output", extra) ?? "slurm-%A_%a.out").replace(/%A/g, job).replace(/%a/g, String(index));
    const fd = openSync(join(cwd, output), "a");
    const child = spawn("bash", [script], {
      cwd,
      detached: true,
      stdio: ["ignore", fd, fd],
      env: {
        ...process.env,
        SLURM_ARRAY_JOB_ID: job,
        SLURM_ARRAY_TASK_ID: String(index),
        SLURM_CPUS_PER_TASK: directive(script, cwd, "cpus-per-task", extra) ?? "1",
      },
    });
    closeSync(fd);
    let exited = () => {};
    const task: Task = { child, exited: new Promise((r) => (exited = r)), state: "RUNNING", exitCode: "0:0", script, cwd, extra };
    child.on("exit", (code, signal) => {
      task.state = task.state === "CANCELLED" ? "CANCELLED" : code === 0 ? "COMPLETED" : "FAILED";
      task.exitCode = `${code ?? 0}:${signal ? 15 : 0}`;
      exited();
    });
    return task;
  };
  const job = (id: string) => jobs.get(id) ?? new Map<number, Task>();
  return {
    kind: "stand-in",
    submit(script, cwd, extra = []) {
      const id = String(next++);
      const [first, last] = (directive(script, cwd, "array", extra) ?? "0").split("-").map(Number);
      const tasks = new Map<number, Task>();
      for (let i = first; i <= (last ?? first); i++) tasks.set(i, start(id, i, script, cwd, extra));
      jobs.set(id, tasks);
      return id;
    },
    tasks: (id) => new Map([...job(id)].map(([i, t]) => [i, { state: t.state, exitCode: t.exitCode }])),
    cancel(id, task) {
      const t = job(id).get(task)!;
      t.state = "CANCELLED";
      process.kill(-t.child.pid!, "SIGTERM");
    },
    async requeue(id, task) {
      const t = job(id).get(task)!;
      await t.exited;
      job(id).set(task, start(id, task, t.script, t.cwd, t.extra));
    },
    async wait(id, timeoutMs = 240_000) {
      for (let t = 0; [...job(id).values()].some((task) => task.state === "RUNNING"); t += 100) {
        if (t > timeoutMs) throw new Error(`stand-in job ${id} still running after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async stop() {
      for (const tasks of jobs.values()) for (const t of tasks.values()) if (t.state === "RUNNING") process.kill(-t.child.pid!, "SIGKILL");
    },
  };
}

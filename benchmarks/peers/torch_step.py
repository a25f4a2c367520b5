"""Peer: the benchmark's training steps in PyTorch on the CPU, as a PyTorch user would write them.

Started by benchmarks/peers/torch.ts with the thread count and BLAS environment it is to run under;
it answers one JSON line per JSON line on stdin:
  {"cmd": "info"}                       -> versions, BLAS library and kernel, threads, processor
  {"cmd": "load", "task": ..., ...}     -> the task's data and initial parameters (the caller's)
  {"cmd": "time", "kind": k, "steps": n} -> wall and CPU ms per step of n steps ("clean", "adversarial")
  {"cmd": "check", "delta": [...]}      -> loss and gradients at the initial parameters on the first
                                           batch: clean, and after PGD from the given start
Tasks: "supervised" (logistic loss on a two-layer net, PGD l2 on the input) and "contrastive"
(NT-Xent on normalised hidden representations of 2B stacked views, PGD l2 on view 1).
"""
import json
import os
import platform
import sys
import time

import torch
import torch.nn.functional as F

# Added to ||h||^2 before the square root, as featpure does (assembly/contrastive.ts).
NORM_EPS = 1e-8


def processor():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info():
    """What torch was built against and, where threadpoolctl is installed, what runs."""
    config = torch.__config__.show()
    built = [l.strip() for l in config.splitlines() if "BLAS" in l or "LAPACK" in l]
    out = {"built": "; ".join(built)}
    try:
        from threadpoolctl import threadpool_info
        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            out.update({
                "library": p.get("internal_api"), "version": p.get("version"),
                "kernel": p.get("architecture"), "threadingLayer": p.get("threading_layer"),
                "threads": p.get("num_threads"), "path": p.get("filepath"),
            })
    except ImportError:
        out["threadpoolctl"] = "not installed"
    return out


def rownorm(t):
    return t.norm(dim=1, keepdim=True).clamp_min(1e-12)


def l2_start(B, d, eps):
    g0 = torch.randn(B, d)
    return g0 / rownorm(g0) * (eps * torch.rand(B, 1) ** (1.0 / d))


def pgd(objective, x, delta, steps, eps, alpha):
    """l2 PGD ascent of objective(x + delta) from delta: normalised steps, projection onto the ball."""
    for _ in range(steps):
        delta.requires_grad_()
        g, = torch.autograd.grad(objective(x + delta), delta)
        with torch.no_grad():
            delta = delta + alpha * g / rownorm(g)
            delta = delta * (eps / rownorm(delta)).clamp(max=1.0)
    return delta.detach()


class Supervised:
    def __init__(self, job):
        d, m, B = job["d"], job["m"], job["B"]
        self.B, self.d, self.pgd, self.eps = B, d, job["pgd"], job["eps"]
        self.xs = [torch.tensor(x, dtype=torch.float32).view(B, d) for x in job["xs"]]
        self.ys = [torch.tensor(y, dtype=torch.float32) for y in job["ys"]]
        self.init = (torch.tensor(job["W"], dtype=torch.float32).view(m, d), torch.tensor(job["thr"], dtype=torch.float32),
                     torch.tensor(job["A"], dtype=torch.float32))
        self.W, self.thr, self.A = [p.clone().requires_grad_() for p in self.init]
        self.opt = torch.optim.Adam([self.W, self.thr, self.A], lr=job["lr"], betas=(0.9, 0.999), eps=1e-8)
        self.i = 0

    def net(self, x):
        p = x @ self.W.t()
        return (torch.relu(p - self.thr) - torch.relu(-p - self.thr)) @ self.A

    def loss(self, x, y):
        return F.softplus(-y * self.net(x)).mean()

    def attack(self, x, y, delta):
        # The attack objective -y.f(x), as featpure's (its gradient has the logistic loss's direction).
        return x + pgd(lambda xa: (-y * self.net(xa)).sum(), x, delta, self.pgd, self.eps, 2.5 * self.eps / self.pgd)

    def step(self, adversarial):
        x, y = self.xs[self.i % len(self.xs)], self.ys[self.i % len(self.ys)]
        self.i += 1
        if adversarial:
            x = self.attack(x, y, l2_start(self.B, self.d, self.eps))
        self.opt.zero_grad()
        self.loss(x, y).backward()
        self.opt.step()
        with torch.no_grad():
            self.thr.clamp_(min=0)

    def check(self, delta):
        """Loss and gradients at the initial parameters on the first batch: clean, then attacked from delta."""
        trained = self.W, self.thr, self.A
        params = [p.clone().requires_grad_() for p in self.init]
        self.W, self.thr, self.A = params
        x, y = self.xs[0], self.ys[0]
        out = {}
        for kind, xin in (("clean", lambda: x), ("adversarial", lambda: self.attack(x, y, delta))):
            loss = self.loss(xin(), y)
            gs = torch.autograd.grad(loss, params)
            out[kind] = {"loss": loss.item(), "grads": {n: g.flatten().tolist() for n, g in zip(("W", "thr", "A"), gs)}}
        self.W, self.thr, self.A = trained
        return out


class Contrastive:
    def __init__(self, job):
        d, m, B = job["d"], job["m"], job["B"]
        self.B, self.d, self.pgd, self.eps, self.tau = B, d, job["pgd"], job["eps"], job["tau"]
        self.xs = [torch.tensor(x, dtype=torch.float32).view(2 * B, d) for x in job["xs"]]
        self.W0 = torch.tensor(job["W"], dtype=torch.float32).view(m, d)
        self.thr = torch.tensor(job["thr"], dtype=torch.float32)
        self.W = self.W0.clone().requires_grad_()
        self.opt = torch.optim.Adam([self.W], lr=job["lr"], betas=(0.9, 0.999), eps=1e-8)
        # Row i's positive is i + B (view 2 of the same sample), and the reverse.
        self.pos = torch.cat([torch.arange(B, 2 * B), torch.arange(0, B)])
        self.diag = torch.eye(2 * B, dtype=torch.bool)
        self.i = 0

    def loss(self, x):
        p = x @ self.W.t()
        h = torch.relu(p - self.thr) - torch.relu(-p - self.thr)
        z = h / torch.sqrt((h * h).sum(1, keepdim=True) + NORM_EPS)
        s = (z @ z.t() / self.tau).masked_fill(self.diag, float("-inf"))
        return F.cross_entropy(s, self.pos)

    def attack(self, x, delta):
        B = self.B
        v2 = x[B:]
        x1 = x[:B] + pgd(lambda v1: self.loss(torch.cat([v1, v2])), x[:B], delta, self.pgd, self.eps, 2.5 * self.eps / self.pgd)
        return torch.cat([x1, v2])

    def step(self, adversarial):
        x = self.xs[self.i % len(self.xs)]
        self.i += 1
        if adversarial:
            x = self.attack(x, l2_start(self.B, self.d, self.eps))
        self.opt.zero_grad()
        self.loss(x).backward()
        self.opt.step()

    def check(self, delta):
        trained, self.W = self.W, self.W0.clone().requires_grad_()
        x = self.xs[0]
        out = {}
        for kind, xin in (("clean", lambda: x), ("adversarial", lambda: self.attack(x, delta))):
            loss = self.loss(xin())
            g, = torch.autograd.grad(loss, [self.W])
            out[kind] = {"loss": loss.item(), "grads": {"W": g.flatten().tolist()}}
        self.W = trained
        return out


TASKS = {"supervised": Supervised, "contrastive": Contrastive}


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    task = None
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req["cmd"]
        if cmd == "info":
            overrides = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
            res = {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
                   "processor": processor(), "blas": blas_info(), "env": overrides}
        elif cmd == "load":
            task = TASKS[req["task"]](req)
            res = {"ok": True}
        elif cmd == "time":
            adversarial = req["kind"] == "adversarial"
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(req["steps"]):
                task.step(adversarial)
            n = req["steps"]
            res = {"ms": (time.perf_counter() - t0) * 1000 / n, "cpuMs": (time.process_time() - c0) * 1000 / n}
        elif cmd == "check":
            B, d = task.B, task.d
            res = task.check(torch.tensor(req["delta"], dtype=torch.float32).view(B, d))
        else:
            res = {"error": f"unknown command {cmd}"}
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()

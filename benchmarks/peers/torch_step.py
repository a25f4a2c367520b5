"""Peer: the same training step in PyTorch on the CPU, as a PyTorch user would write it.

Called by benchmarks/peers/torch.ts with a JSON job on stdin; prints one JSON line:
{"torch": version, "threads": n, "clean": ms, "adversarial": ms, "cleanCpu": ms, "adversarialCpu": ms}
(medians after warm-up, wall time and CPU time of the process).
"""
import json
import sys
import time

import torch


def main():
    job = json.load(sys.stdin)
    d, m, B, pgd, eps, lr = job["d"], job["m"], job["B"], job["pgd"], job["eps"], job["lr"]
    torch.set_num_threads(job["threads"])
    torch.manual_seed(0)
    if "xs" in job:
        xs = [torch.tensor(x, dtype=torch.float32).view(B, d) for x in job["xs"]]
        ys = [torch.tensor(y, dtype=torch.float32) for y in job["ys"]]
        W = torch.tensor(job["W"], dtype=torch.float32).view(m, d)
    else:
        # Large shapes: the caller sends no data; dense kernels take the same time on any values.
        z = (torch.rand(4, B, d) < 5 / d).float() * torch.sign(torch.randn(4, B, d))
        xs, ys = list(z), [torch.sign(zz.sum(1) + 0.5) for zz in z]
        W = 0.01 * torch.randn(m, d)
    W.requires_grad_()
    thr = torch.zeros(m, requires_grad=True)
    A = (0.01 * torch.randn(m)).requires_grad_()
    opt = torch.optim.Adam([W, thr, A], lr=lr, betas=(0.9, 0.999), eps=1e-8)
    alpha = 2.5 * eps / pgd

    def net(x):
        p = x @ W.t()
        return (torch.relu(p - thr) - torch.relu(-p - thr)) @ A

    def attack(x, y):
        g0 = torch.randn(B, d)
        delta = g0 / g0.norm(dim=1, keepdim=True) * (eps * torch.rand(B, 1) ** (1.0 / d))
        for _ in range(pgd):
            delta.requires_grad_()
            g, = torch.autograd.grad((-y * net(x + delta)).sum(), delta)
            with torch.no_grad():
                delta = delta + alpha * g / g.norm(dim=1, keepdim=True).clamp_min(1e-12)
                delta = delta * (eps / delta.norm(dim=1, keepdim=True).clamp_min(1e-12)).clamp(max=1.0)
        return (x + delta).detach()

    def step(i, adversarial):
        x, y = xs[i % len(xs)], ys[i % len(ys)]
        if adversarial:
            x = attack(x, y)
        opt.zero_grad()
        loss = torch.nn.functional.softplus(-y * net(x)).mean()
        loss.backward()
        opt.step()
        with torch.no_grad():
            thr.clamp_(min=0)

    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    for adversarial in (False, True):
        for i in range(job["warmup"]):
            step(i, adversarial)
        wall, cpu = [], []
        for r in range(job["reps"]):
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(job["steps"]):
                step(i, adversarial)
            wall.append((time.perf_counter() - t0) * 1000 / job["steps"])
            cpu.append((time.process_time() - c0) * 1000 / job["steps"])
        key = "adversarial" if adversarial else "clean"
        out[key] = sorted(wall)[len(wall) // 2]
        out[key + "Cpu"] = sorted(cpu)[len(cpu) // 2]
    print(json.dumps(out))


if __name__ == "__main__":
    main()

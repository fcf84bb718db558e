#!/usr/bin/env python3
"""PyTorch baseline for `tinygan bench step`: the same reference models, batch, loss,
optimiser and step structure as host/src/bench/step.rs, timed on the CPU.

One step = one D update (G forward on fresh z, D on the real and the fake batch, BCE-with-
logits loss, backward, Adam) and one G update (G forward on fresh z, D on the fakes,
non-saturating BCE loss, backward through D into G, Adam on G). D's parameters are frozen
during the G update and z does not require a gradient, so PyTorch skips the same work as
tinygan does (D's parameter gradients in the G update, G's first-layer input gradient).

Output (--json): {"torch": version, "threads": n, "model": ..., "batch": b,
"steps_per_s": median, "reps": [...], "d_steps_per_s": {variant: median}} where
d_steps_per_s (digits only) times D updates alone without minibatch discrimination and
with it in two forms: "fused" (pairwise L1 distances per kernel with torch.cdist, no
B×B×K×D tensor) and "materialised" (the usual broadcast difference tensor B×B×K×D).
"""

import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

# Minibatch discrimination (Salimans et al. 2016, arXiv:1606.03498 §3.2) in the digits D.
MBD_K = 16
MBD_D = 8


class PacganG(nn.Sequential):
    """z in R^2 -> 4 x (Linear 400, BN, ReLU) -> Linear 2."""

    def __init__(self):
        layers, width = [], 2
        for _ in range(4):
            layers += [nn.Linear(width, 400), nn.BatchNorm1d(400), nn.ReLU()]
            width = 400
        super().__init__(*layers, nn.Linear(400, 2))


class PacganD(nn.Sequential):
    """2 -> 3 x (Linear 200, ReLU) -> Linear 1 (logit)."""

    def __init__(self):
        super().__init__(
            nn.Linear(2, 200), nn.ReLU(),
            nn.Linear(200, 200), nn.ReLU(),
            nn.Linear(200, 200), nn.ReLU(),
            nn.Linear(200, 1),
        )


class DigitsG(nn.Sequential):
    """host/src/presets/digits.rs DigitsGBn (z 32, widths 32 and 16) and
    host/src/bench/models.rs SmallG (z 16, widths 16 and 8): z -> 16 c1 (BN, ReLU) ->
    c1x4x4 -> transposed conv k4 s2 p1 to c2x8x8 (BN, ReLU) -> conv k3 p1 to 1x8x8 -> tanh."""

    def __init__(self, z=32, c1=32, c2=16):
        super().__init__(
            nn.Linear(z, c1 * 16), nn.BatchNorm1d(c1 * 16), nn.ReLU(),
            nn.Unflatten(1, (c1, 4, 4)),
            nn.ConvTranspose2d(c1, c2, 4, 2, 1), nn.BatchNorm2d(c2), nn.ReLU(),
            nn.Conv2d(c2, 1, 3, 1, 1), nn.Tanh(),
        )


class Mbd(nn.Module):
    """x: [B, IN] -> concat(x, o), o[b,k] = sum_c exp(-||M[b,k,:] - M[c,k,:]||_1),
    M = x T, T: [IN, K*D]."""

    def __init__(self, inp, materialised):
        super().__init__()
        self.t = nn.Parameter(torch.randn(inp, MBD_K * MBD_D) * 0.1)
        self.materialised = materialised

    def forward(self, x):
        m = (x @ self.t).view(-1, MBD_K, MBD_D)
        if self.materialised:
            # [B, 1, K, D] - [1, B, K, D] -> [B, B, K, D], as torchgan and most code do.
            l1 = (m.unsqueeze(1) - m.unsqueeze(0)).abs().sum(3)
            o = torch.exp(-l1).sum(1)
        else:
            mk = m.transpose(0, 1)  # [K, B, D]
            o = torch.exp(-torch.cdist(mk, mk, p=1)).sum(2).transpose(0, 1)
        return torch.cat([x, o], 1)


class DigitsD(nn.Sequential):
    """host/src/presets/digits.rs DigitsD (widths 32 and 64) and host/src/bench/models.rs
    SmallD (16 and 32): 1x8x8 -> conv k4 s2 p1 to c1x4x4 (LeakyReLU 0.2) -> conv k4 s2 p1
    to c2x2x2 (LeakyReLU 0.2) -> flatten 4 c2 -> [MBD K=16 D=8 -> 4 c2 + 16] -> Linear 1."""

    def __init__(self, mbd, c1=32, c2=64):
        flat = 4 * c2
        tail = [nn.Linear(flat, 1)]
        if mbd != "none":
            tail = [Mbd(flat, mbd == "materialised"), nn.Linear(flat + MBD_K, 1)]
        super().__init__(
            nn.Conv2d(1, c1, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(c1, c2, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(), *tail,
        )


class Step:
    """The two updates of one training step on a pool of real batches."""

    def __init__(self, g, d, z_dim, real_shape, batch):
        self.g, self.d, self.z_dim, self.batch = g, d, z_dim, batch
        adam = dict(lr=2e-4, betas=(0.5, 0.999))
        self.opt_g = torch.optim.Adam(g.parameters(), **adam)
        self.opt_d = torch.optim.Adam(d.parameters(), **adam)
        self.pool = [torch.rand(batch, *real_shape) * 2 - 1 for _ in range(8)]
        self.ones = torch.ones(batch, 1)
        self.zeros = torch.zeros(batch, 1)
        self.i = 0

    def d_update(self):
        real = self.pool[self.i % len(self.pool)]
        self.i += 1
        with torch.no_grad():
            fake = self.g(torch.randn(self.batch, self.z_dim))
        self.opt_d.zero_grad(set_to_none=True)
        # D runs on the real and the fake batch separately (as tinygan's trainer does).
        loss = F.binary_cross_entropy_with_logits(self.d(real), self.ones) + \
            F.binary_cross_entropy_with_logits(self.d(fake), self.zeros)
        loss.backward()
        self.opt_d.step()

    def g_update(self):
        self.d.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=True)
        fake = self.g(torch.randn(self.batch, self.z_dim))
        loss = F.binary_cross_entropy_with_logits(self.d(fake), self.ones)
        loss.backward()
        self.opt_g.step()
        self.d.requires_grad_(True)

    def full(self):
        self.d_update()
        self.g_update()


def rate(fn, steps, warmup, reps):
    """Median over `reps` repetitions of `steps` calls per second, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    rates = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(steps):
            fn()
        rates.append(steps / (time.perf_counter() - t))
    return statistics.median(rates), rates


def build(model, mbd):
    if model == "pacgan":
        return Step(PacganG(), PacganD(), 2, (2,), 100)
    if model == "digits-small":
        return Step(DigitsG(16, 16, 8), DigitsD("fused", 16, 32), 16, (1, 8, 8), 64)
    return Step(DigitsG(), DigitsD(mbd), 32, (1, 8, 8), 64)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["pacgan", "digits", "digits-small"], required=True)
    p.add_argument("--steps", type=int, default=200, help="steps per repetition")
    p.add_argument("--reps", type=int, default=5, help="repetitions (median reported)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--mbd", choices=["none", "fused", "materialised"], default="none",
                   help="minibatch discrimination in the digits D of the full step")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    step = build(a.model, a.mbd)
    median, reps = rate(step.full, a.steps, a.warmup, a.reps)
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "capability": torch.backends.cpu.get_cpu_capability(),
        "model": a.model,
        "mbd": a.mbd if a.model == "digits" else None,
        "batch": step.batch,
        "steps_per_s": median,
        "reps": reps,
    }
    if a.model == "digits":
        out["d_steps_per_s"] = {
            v: rate(build("digits", v).d_update, a.steps, a.warmup, a.reps)[0]
            for v in ["none", "fused", "materialised"]
        }
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    sys.exit(main())

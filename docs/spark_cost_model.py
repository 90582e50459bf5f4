#!/usr/bin/env python3
"""Projected epoch time of vae-spark training on W workers (README: "What a round costs").

epoch(W, K) = S_w * t_step + R * (t_fixed + t_net(W)),  S_w = ceil(ceil(N / W) / B) steps per worker,
              R = ceil(S_w / K) rounds
t_net(W)    = broadcast + gather over a link of BW bytes/s:
              broadcast: optimistic S * ceil(log2(W + 1)) / BW (torrent: executors relay pieces),
                         pessimistic W * S / BW (every executor pulls the whole state from the driver);
              gather (treeReduce, depth 2): 2 * ceil(sqrt(W)) * S / BW.
S is what one worker sends or receives per round: weights and both Adam moments (K > 1) or weights down and the
gradient up (K = 1). t_step, t_fixed are measured on one machine (see the README); evaluation is left out.
"""
import math

N, B = 60000, 128                 # Fashion-MNIST training images, images per step on each worker
PARAMS = 652_824                  # 784-400-20 reference model
BW = 10e9 / 8                     # 10 GbE, bytes per second
T_STEP = 0.0086                   # s, one step of 128 images on one core (measured)
T_FIXED = {"averaging": (0.15, 0.22), "gradients": (0.064, 0.064)}  # s per round (measured in local mode)


def epoch(w, k, optimistic):
    mode = "gradients" if k == 1 else "averaging"
    s = 4 * PARAMS * (1 if k == 1 else 3)
    steps = math.ceil(math.ceil(N / w) / B)
    rounds = math.ceil(steps / k)
    bcast = s * math.ceil(math.log2(w + 1)) / BW if optimistic else w * s / BW
    gather = 2 * math.ceil(math.sqrt(w)) * s / BW
    fixed = T_FIXED[mode][0 if optimistic else 1]
    return rounds, steps * T_STEP + rounds * (fixed + bcast + gather), steps * T_STEP


if __name__ == "__main__":
    print(f"one worker, one core: {math.ceil(N / B) * T_STEP:.1f} s per epoch of compute")
    print("| W | K | rounds per epoch | epoch (s), optimistic | epoch (s), pessimistic | compute share |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for w in (8, 32, 128):
        for k in (1, 5, 20):
            r, lo, compute = epoch(w, k, True)
            _, hi, _ = epoch(w, k, False)
            print(f"| {w} | {k} | {r} | {lo:.2f} | {hi:.2f} | {compute / hi:.0%}-{compute / lo:.0%} |")

#!/usr/bin/env python3
"""Training speed of this toolkit's engines against the PyTorch peer over a grid of batch and hidden sizes.

For each point, in one sitting and interleaved: the peer on 1 thread, each engine's `bench`, the peer on 2 threads.
The peer's faster run is the reference: each engine's ratio is its time per image over that run's (below 1: faster
than PyTorch). One JSON line per point; speed is images per second of timed training steps.

The peer is not part of this project (pass its path). Python's standard library only.

  python3 vae-bench/peer_grid.py --peer ../shared/bench/torch_reference.py \\
      --data-dir /usr/share/datasets/fashion-mnist [--rounds 2] [--batch-sizes 32,128,512] [--hiddens 400,2048]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "..", "vae-app", "target", "vae-app.jar")


def ints(text):
    return [int(v) for v in text.split(",") if v]


def peer(args, batch, hidden, threads):
    """The peer's second epoch over `images` training images (its first warms up)."""
    out = run([args.python, args.peer, "--data-dir", args.data_dir, "--speed-only", "--epochs", "2",
               "--samples", str(args.images), "--batch-size", str(batch), "--hidden", str(hidden),
               "--threads", str(threads)], "--python must name a Python that has PyTorch, --data-dir the IDX files")
    return json.loads(out.strip().splitlines()[-1])["images_per_second"]


def engine(args, name, batch, hidden):
    """`bench` over as many timed images as the peer's epoch, after a quarter as many untimed steps, at least 50 (the
    JIT compiles by calls, not images)."""
    steps = max(1, args.images // batch)
    out = run(["java", "-jar", args.app, "bench", "--engine", name, "--dataset", args.dataset,
               "--data-dir", args.data_dir, "--batch-size", str(batch), "--hidden", str(hidden),
               "--batches", str(steps), "--warmup", str(max(50, steps // 4))], "see bench's message below")
    return json.loads(out.strip().splitlines()[-1])["images_per_second"]


def run(cmd, hint):
    """stdout of cmd; a failed run ends the grid with its last lines of stderr and what to check."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("%s failed (exit %d): %s\n%s" % (" ".join(cmd[:4]), done.returncode, hint,
                                                 done.stderr.strip()[-2000:]))
    return done.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", required=True, help="path of torch_reference.py")
    ap.add_argument("--python", default="python3", help="the Python that has PyTorch")
    ap.add_argument("--data-dir", required=True, help="Fashion-MNIST's IDX files (both sides train on them)")
    ap.add_argument("--dataset", default="fashion-mnist")
    ap.add_argument("--app", default=APP, help="vae-app.jar (built by mvn -B verify)")
    ap.add_argument("--engines", default="samediff,dl4j")
    ap.add_argument("--batch-sizes", type=ints, default=ints("32,128,256,512,1024"))
    ap.add_argument("--hiddens", type=ints, default=ints("400,1024,2048"))
    ap.add_argument("--images", type=int, default=20480, help="timed images per point and run")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    if not os.path.isfile(args.peer):
        sys.exit("no peer at %s: pass --peer PATH/torch_reference.py" % args.peer)
    if not os.path.isfile(args.app):
        sys.exit("no %s: build it first (mvn -B verify)" % args.app)
    for rnd in range(1, args.rounds + 1):
        for hidden in args.hiddens:
            for batch in args.batch_sizes:
                row = {"round": rnd, "batch_size": batch, "hidden": hidden}
                row["peer_1_thread"] = round(peer(args, batch, hidden, 1))
                for name in args.engines.split(","):
                    row[name] = engine(args, name, batch, hidden)
                row["peer_2_threads"] = round(peer(args, batch, hidden, 2))
                best = max(row["peer_1_thread"], row["peer_2_threads"])
                for name in args.engines.split(","):
                    row[name + "_ratio"] = round(best / row[name], 3)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

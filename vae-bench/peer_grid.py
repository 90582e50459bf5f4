#!/usr/bin/env python3
"""Training speed of this toolkit's engines against the PyTorch peer over a grid of batch and hidden sizes.

For each point, in one sitting and interleaved: the peer on 1 thread, each engine's `bench`, the peer on 2 threads.
The peer's faster run is the reference: each engine's ratio is its time per image over that run's (below 1: faster
than PyTorch). One JSON line per point; speed is images per second of timed training steps. `--peer-threads 1` leaves
the second run out, for long grids: on the 2-core AMD EPYC machines of 2026-12-02/03 the peer on 2 threads (its
malloc steady) was slower than on 1 in all 104 grid rows on record, at most 0.65 of its speed.

The peer runs twice per thread count: as installed ("default"), and with glibc's malloc told to keep freed memory
("steady": a fixed mmap threshold, no trimming). As installed, glibc returns PyTorch's freed batch-sized buffers to
the kernel and takes them back page by page, hundreds of thousands of page faults per run, and the peer's speed
swings by 2-3 times between and within runs; with the two settings it holds near its fast phase. `<engine>_ratio` is
against the faster default run (the peer as a user runs it), `<engine>_ratio_steady` against the faster steady run
(the peer at its best). `--peer-malloc default` or `steady` runs one kind only.

Both sides first train untimed, in whole epochs of `--images` images: at least one epoch and at least
`--warmup-steps` steps (300), the same number for both; then each times one more such epoch. Why the steps: most of
an engine's warm-up is in its first 120-160 steps whatever the batch (2-core AMD EPYC, 2026-12-03, one JVM, ms a step
per block of 40 steps at 256 x 400: 20.27, 14.45, 12.99, then 7.84-11.56; at 128 x 400: 16.19, 9.28, 13.79, then
6.26-10.66), and earlier grids gave it one epoch but at least 50 steps, 80 at 256 rows: `bench` at 256 x 400 ran
19,594 / 22,342 images/s after 80 untimed steps and 26,132 / 27,293 after 160, alternating. The peer gets as many
untimed steps. An engine still speeds up for a few thousand steps more, while the JVM's optimising compiler works on
one of the cores: `bench --engine samediff` at 128 x 400 made 181, 48, 34, then 14 compilations in the 5-second spans
from its 5th second on, and ran 10-17% faster after 3,000 untimed steps than after 300 in three alternating pairs
(2026-12-03). `--warmup-steps 3000` measures both sides in that steady state (slow at large points: the peer on two
threads trains 3,000 steps too), and a longer window (`--images 128000`: 1,000 steps at 128 rows instead of 160) lets
bursts of slow steps (the compiler, the collector) weigh less: `bench --engine dl4j` at 128 x 400 after 3,040 untimed
steps ran 16,738 images/s over 1,000 timed steps and 10,592 over 160.

The peer is not part of this project (pass its path). Python's standard library only.

  python3 vae-bench/peer_grid.py --peer ../shared/bench/torch_reference.py \\
      --data-dir /usr/share/datasets/fashion-mnist [--rounds 2] [--batch-sizes 32,128,512] [--hiddens 400,2048] \\
      [--peer-malloc steady] [--peer-threads 1] [--products auto,onednn] [--warmup-steps 3000 --images 128000]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "..", "vae-app", "target", "vae-app.jar")


# glibc's own switches (mallopt's M_MMAP_THRESHOLD, M_TRIM_THRESHOLD), read from the environment at start.
STEADY_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str((1 << 32) - 1)}
PEER_KEY = {"default": "peer_%d_threads", "steady": "peer_steady_%d_threads"}
RATIO_KEY = {"default": "_ratio", "steady": "_ratio_steady"}


def ints(text):
    return [int(v) for v in text.split(",") if v]


def untimed_epochs(args, batch):
    """Untimed epochs of `images` images before the timed one: at least one, and at least `warmup_steps` steps."""
    steps = max(1, args.images // batch)
    return max(1, -(-args.warmup_steps // steps))


def peer(args, batch, hidden, threads, malloc):
    """The peer's last epoch over `images` training images, after its untimed ones."""
    env = dict(os.environ, **STEADY_MALLOC) if malloc == "steady" else None
    out = run([args.python, args.peer, "--data-dir", args.data_dir, "--speed-only",
               "--epochs", str(1 + untimed_epochs(args, batch)),
               "--samples", str(args.images), "--batch-size", str(batch), "--hidden", str(hidden),
               "--threads", str(threads)],
              "--python must name a Python that has PyTorch, --data-dir the IDX files", env)
    return json.loads(out.strip().splitlines()[-1])["images_per_second"]


def engine(args, name, batch, hidden, products="auto"):
    """`bench` over as many timed images as the peer's epoch, after as many untimed steps as the peer's untimed epochs
    have (see above; with a quarter of one epoch, as before 2026-12-03, the engines were still warming up at 128 x 400:
    14,154 and 14,565 images/s after 50 steps against 17,856 and 17,343 after 160, alternating)."""
    steps = max(1, args.images // batch)
    out = run(["java", "-jar", args.app, "bench", "--engine", name, "--dataset", args.dataset,
               "--data-dir", args.data_dir, "--batch-size", str(batch), "--hidden", str(hidden),
               "--batches", str(steps), "--warmup", str(untimed_epochs(args, batch) * steps), "--products", products],
              "see bench's message below")
    return json.loads(out.strip().splitlines()[-1])["images_per_second"]


def run(cmd, hint, env=None):
    """stdout of cmd; a failed run ends the grid with its last lines of stderr and what to check."""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
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
    ap.add_argument("--images", type=int, default=20480, help="timed images per point and run (one epoch)")
    ap.add_argument("--warmup-steps", type=int, default=300,
                    help="untimed training steps before the timed epoch, at least (whole epochs, at least one)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--peer-threads", type=ints, default=ints("1,2"),
                    help="the peer's thread counts (1,2); its fastest run is the reference")
    ap.add_argument("--products", default="auto",
                    help="bench --products for the engines: auto, onednn, or auto,onednn (each engine in both; "
                         "the onednn runs' keys end in _onednn)")
    ap.add_argument("--peer-malloc", default="default,steady",
                    help="default, steady, or default,steady (both, as by default; see above)")
    args = ap.parse_args()
    mallocs = [m for m in ("default", "steady") if m in args.peer_malloc.split(",")]
    if not mallocs or set(args.peer_malloc.split(",")) - set(mallocs):
        ap.error("--peer-malloc takes default, steady or default,steady; got %s" % args.peer_malloc)
    if args.images < 1 or args.warmup_steps < 0:
        ap.error("--images must be positive and --warmup-steps at least 0")
    if not args.peer_threads or min(args.peer_threads) < 1:
        ap.error("--peer-threads takes positive thread counts, as 1,2; got %s" % args.peer_threads)
    first, rest = args.peer_threads[:1], args.peer_threads[1:]
    products = args.products.split(",")
    if not products or set(products) - {"auto", "onednn"}:
        ap.error("--products takes auto, onednn or auto,onednn; got %s" % args.products)
    # (key, engine, products) for each engine run of a point
    engines = [(name if p == "auto" else name + "_" + p, name, p)
               for name in args.engines.split(",") for p in products]
    if not os.path.isfile(args.peer):
        sys.exit("no peer at %s: pass --peer PATH/torch_reference.py" % args.peer)
    if not os.path.isfile(args.app):
        sys.exit("no %s: build it first (mvn -B verify)" % args.app)
    for rnd in range(1, args.rounds + 1):
        for hidden in args.hiddens:
            for batch in args.batch_sizes:
                row = {"round": rnd, "batch_size": batch, "hidden": hidden}
                for threads in first:
                    for malloc in mallocs:
                        row[PEER_KEY[malloc] % threads] = round(peer(args, batch, hidden, threads, malloc))
                for key, name, p in engines:
                    row[key] = engine(args, name, batch, hidden, p)
                for threads in rest:
                    for malloc in mallocs:
                        row[PEER_KEY[malloc] % threads] = round(peer(args, batch, hidden, threads, malloc))
                for malloc in mallocs:
                    best = max(row[PEER_KEY[malloc] % t] for t in args.peer_threads)
                    for key, _, _ in engines:
                        row[key + RATIO_KEY[malloc]] = round(best / row[key], 3)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

"""`lucid-render-sweep MODEL LAYER... -o OUT_DIR`: render every channel of each layer, with a progress bar.

MODEL is a zoo model name (EfficientNetLite0) or a .pb saved with Model.save. Without --scheduler a local Dask
cluster does the work. Exits 0 when every unit is done, 1 when some failed (listed), 2 on bad arguments.
"""

import argparse
import logging
import sys
import time

from lucid.scale.sweep import render_units

log = logging.getLogger(__name__)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="lucid-render-sweep",
        description="Render every channel of each LAYER of MODEL on a Dask cluster into OUT_DIR "
        "(PNGs, index.jsonl, index.html). A rerun skips the units already done.",
    )
    parser.add_argument("model", metavar="MODEL", help="a zoo model name or the path of a .pb saved by Model.save")
    parser.add_argument(
        "layers", metavar="LAYER", nargs="+", help="a layer name (every channel), or LAYER:CHANNEL for one channel"
    )
    parser.add_argument("-o", "--out-dir", required=True, help="where the PNGs and the index go")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    parser.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per core)")
    parser.add_argument("--steps", type=int, default=512, help="optimization steps per image (default 512)")
    parser.add_argument("--size", type=int, default=128, help="image size in pixels (default 128)")
    parser.add_argument("--batch-size", type=int, default=16, help="channels rendered together per task (default 16)")
    parser.add_argument("--seed", type=int, default=0, help="seed of each batch (default 0)")
    args = parser.parse_args(argv)
    if args.scheduler and args.workers is not None:
        parser.error("--workers sizes the local cluster; drop it when giving --scheduler.")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        records = render_units(
            args.model,
            args.layers,
            args.out_dir,
            client=args.scheduler,
            steps=args.steps,
            size=args.size,
            batch_size=args.batch_size,
            seed=args.seed,
            n_workers=args.workers,
            progress=ProgressBar(sys.stderr),
        )
    except (ValueError, KeyError, TypeError, FileNotFoundError) as error:
        parser.error(error.args[0] if isinstance(error, KeyError) else str(error))
    failed = [record for record in records if record["status"] != "done"]
    for record in failed:
        print("failed: %s: %s" % (record["unit"], record["error"]), file=sys.stderr)
    print(
        "%d of %d units done; see %s/index.html" % (len(records) - len(failed), len(records), args.out_dir),
        file=sys.stderr,
    )
    return 1 if failed else 0


class ProgressBar:
    """`progress(done, failed, total)` for render_units: one line on `stream`, redrawn in place."""

    def __init__(self, stream, width=30):
        self.stream = stream
        self.width = width
        self.start = None

    def __call__(self, done, failed, total):
        if self.start is None:
            self.start = time.monotonic()
        finished = done + failed
        filled = self.width * finished // total
        minutes = (time.monotonic() - self.start) / 60
        rate = " %.1f units/min" % (done / minutes) if done and minutes else ""
        self.stream.write(
            "\r[%s%s] %d/%d units, %d failed%s"
            % ("#" * filled, "." * (self.width - filled), finished, total, failed, rate)
        )
        if finished == total:
            self.stream.write("\n")
        self.stream.flush()


if __name__ == "__main__":
    sys.exit(main())

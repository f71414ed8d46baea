"""The command lines of lucid.scale, both on a local Dask cluster unless given --scheduler.

`lucid-render-sweep MODEL LAYER... -o STORE`: render every channel of each layer, with a progress bar. Exits 0
when every unit is done, 1 when some failed (listed), 2 on bad arguments.

`lucid-microscope MODEL -o SITE [--layers L...] [--images DIR]`: build a Microscope site (lucid.scale.microscope).
Exits 0 when every unit is done, 1 when some failed, 2 on bad arguments.

Arguments are checked before any model is loaded or any work starts: a bad one prints one line and exits 2.
"""

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from lucid.misc.commandline import OneLineParser, unwritable_problem
from lucid.optvis.precision import PRECISIONS

__all__ = [
    "main",
    "MAX_SIZE",
    "microscope_main",
    "ProgressBar",
]

MAX_SIZE = 2048  # largest --size: a 2048 px batch already needs GBs per worker


def _count(least):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("must be an integer, got %r" % text) from None
        if value < least:
            raise argparse.ArgumentTypeError("must be at least %d, got %d" % (least, value))
        return value

    return parse


def _size(text):
    value = _count(1)(text)
    if value > MAX_SIZE:
        raise argparse.ArgumentTypeError("must be at most %d px, got %d" % (MAX_SIZE, value))
    return value


def _common_arguments(parser, steps, size, batch_size):
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tls://10.0.0.5:8786 (default: local)"
    )
    parser.add_argument(
        "--workers", type=_count(1), help="worker processes of the local cluster (default: one per core)"
    )
    parser.add_argument("--steps", type=_count(1), default=steps, help="optimization steps (default %d)" % steps)
    parser.add_argument(
        "--size", type=_size, default=size, help="image size in px, 1 to %d (default %d)" % (MAX_SIZE, size)
    )
    parser.add_argument(
        "--batch-size", type=_count(1), default=batch_size, help="channels per task (default %d)" % batch_size
    )
    parser.add_argument("--seed", type=_count(0), default=0, help="seed of each batch (default 0)")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="compute precision of the renders (default float32)",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="the fast path: the image and late ReLU gradients computed another way (other numbers than the "
        "original's, at most a few percent faster; README, lucid.optvis.fast)",
    )


def _check_first(parser, args):
    """Exit 2 with one line for a bad output, model or scheduler, before anything is loaded."""
    from lucid.modelzoo import nets_factory
    from lucid.scale.cluster import check_scheduler

    if args.scheduler and args.workers is not None:
        parser.error("--workers sizes the local cluster; drop it when giving --scheduler.")
    out = args.out[len("file://") :] if args.out.startswith("file://") else args.out
    if "://" not in out:
        if os.path.exists(out) and not os.path.isdir(out):
            parser.error("-o %s is a file; give a directory (new or from an earlier run) for the results." % out)
        problem = unwritable_problem(out, "-o")
        if problem:
            parser.error(problem)
    model = args.model
    if model.endswith((".pb", ".keras")) or os.sep in model:
        if "://" not in model and not os.path.isfile(model):
            parser.error(
                "No model file %s; give a zoo model name (e.g. EfficientNetLite0) or a .pb/.keras file." % model
            )
    elif model not in nets_factory.models_map:
        try:
            nets_factory.get_model(model)
        except ValueError as error:
            parser.error(str(error))
    if args.scheduler:
        try:
            check_scheduler(args.scheduler)
        except ValueError as error:
            parser.error(str(error))


def _run(parser, function, **kwargs):
    """`function(**kwargs)` with a progress bar; bad input exits 2 with one line; return the records."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return function(progress=ProgressBar(sys.stderr), **kwargs)
    except (ValueError, KeyError, TypeError, FileNotFoundError, RuntimeError) as error:
        parser.error(error.args[0] if isinstance(error, KeyError) and error.args else str(error))


def _report(records, out):
    """Print the failed units and a summary line; the exit status: 0 if every unit is done, else 1."""
    failed = [record for record in records if record["status"] != "done"]
    for record in failed:
        print("failed: %s: %s" % (record["unit"], record["error"]), file=sys.stderr)
    print("%d of %d units done; open %s/index.html" % (len(records) - len(failed), len(records), out), file=sys.stderr)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """lucid-render-sweep."""
    parser = OneLineParser(
        prog="lucid-render-sweep",
        description="Render every channel of each LAYER of MODEL on a Dask cluster into the store OUT "
        "(index.json, index.html, units/). A rerun skips the units already rendered with the same model and settings.",
    )
    parser.add_argument("model", metavar="MODEL", help="a zoo model name or the path of a .pb saved by Model.save")
    parser.add_argument(
        "layers", metavar="LAYER", nargs="+", help="a layer name (every channel), or LAYER:CHANNEL for one channel"
    )
    parser.add_argument("-o", "--out-dir", dest="out", required=True, help="the store: a directory or fsspec URL")
    _common_arguments(parser, steps=512, size=128, batch_size=16)
    args = parser.parse_args(argv)
    _check_first(parser, args)
    from lucid.scale.sweep import render_units

    records = _run(
        parser,
        render_units,
        model=args.model,
        units=args.layers,
        out_dir=args.out,
        client=args.scheduler,
        steps=args.steps,
        size=args.size,
        batch_size=args.batch_size,
        seed=args.seed,
        n_workers=args.workers,
        precision=args.precision,
        fast=args.fast,
    )
    return _report(records, args.out)


def _microscope_parser() -> argparse.ArgumentParser:
    """lucid-microscope's options: each technique's switch says what it costs."""
    parser = OneLineParser(
        prog="lucid-microscope",
        description="Build a Microscope of MODEL in SITE, a static site: a page per layer and per unit (positive, "
        "negative and diverse feature visualizations, the patches of --images that excite it most and least, its "
        "circuits and classes), class pages (--classes) and a model page with a diagram and search. Each technique "
        "has a switch below with its cost; the feature visualizations cost most (see the README's figures).",
    )
    parser.add_argument("model", metavar="MODEL", help="a zoo model name, a .pb saved by Model.save, or a .keras file")
    parser.add_argument("-o", "--out", required=True, metavar="SITE", help="the site and its store: a directory or URL")
    parser.add_argument(
        "--layers", nargs="+", metavar="LAYER", help="layers to show (default: the model's conv layers)"
    )
    parser.add_argument("--images", metavar="DIR", help="a folder of images for the dataset examples")
    parser.add_argument("--units", type=_count(1), metavar="N", help="only the first N units of each layer")
    parser.add_argument("--top-k", type=_count(1), default=6, help="dataset examples per unit and side (default 6)")
    parser.add_argument(
        "--value-range", type=float, nargs=2, metavar=("LO", "HI"), help="pixel range of a .keras model (e.g. -1 1)"
    )
    parser.add_argument("--bgr", action="store_true", help="a .keras model that takes BGR images")
    parser.add_argument(
        "--no-circuits",
        dest="circuits",
        action="store_false",
        help="skip circuits and classes per unit (their cost: one backward pass per 32 units at the model's size, "
        "about 5 s per 64 units of EfficientNet-Lite0 on one core, a few %% of the renders)",
    )
    parser.add_argument(
        "--classes",
        nargs="+",
        metavar="CLASS",
        help="class pages: N for the first N classes, or class names / indices (cost: a class_visualization render "
        "(MACO, 2 views per step) at 224 px of --class-steps steps per class, about as much as 8 units' feature "
        "visualizations at 128 px)",
    )
    parser.add_argument(
        "--class-steps", type=_count(1), default=240, help="steps of each class visualization (default 240)"
    )
    parser.add_argument(
        "--dream-steps",
        type=_count(0),
        default=128,
        help="with --images, DeepDream and a caricature of 3 images on each layer page, this many steps each at the "
        "model's size (default 128; 0: none; cost per layer about 6 units' feature visualizations)",
    )
    _common_arguments(parser, steps=512, size=128, batch_size=4)
    return parser


def microscope_main(argv: Sequence[str] | None = None) -> int:
    """lucid-microscope."""
    parser = _microscope_parser()
    args = parser.parse_args(argv)
    _check_first(parser, args)
    if args.images is not None and not os.path.isdir(args.images):
        parser.error("--images %s is not a directory; give a folder of images." % args.images)
    classes = args.classes
    if classes and len(classes) == 1 and classes[0].isdigit():
        classes = int(classes[0])
    from lucid.scale.microscope import microscope

    records = _run(
        parser,
        microscope,
        model=args.model,
        site=args.out,
        layers=args.layers,
        images=args.images,
        client=args.scheduler,
        n_workers=args.workers,
        steps=args.steps,
        size=args.size,
        seed=args.seed,
        units=args.units,
        batch_size=args.batch_size,
        precision=args.precision,
        fast=args.fast,
        value_range=args.value_range,
        bgr=args.bgr,
        top_k=args.top_k,
        circuits=args.circuits,
        classes=classes,
        class_steps=args.class_steps,
        dream_steps=args.dream_steps,
    )
    return _report(records, args.out)


class ProgressBar:
    """`progress(done, failed, total)` for render_units and microscope: one line on `stream`, redrawn in place."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.start: float | None = None

    def __call__(self, done: int, failed: int, total: int) -> None:
        if self.start is None:
            self.start = time.monotonic()
        finished = done + failed
        filled = self.width * finished // total
        minutes = (time.monotonic() - self.start) / 60
        rate = " %.1f units/min" % (done / minutes) if done and minutes else ""
        if finished and minutes and finished < total:
            rate += ", about %s left" % _duration(minutes * 60 * (total - finished) / finished)
        self.stream.write(
            "\r[%s%s] %d/%d units, %d failed%s"
            % ("#" * filled, "." * (self.width - filled), finished, total, failed, rate)
        )
        if finished == total:
            self.stream.write("\n")
        self.stream.flush()


def _duration(seconds):
    """`seconds` as a short readable duration: 40 s, 12 min, 3 h 05 min."""
    if seconds < 90:
        return "%d s" % seconds
    if seconds < 5400:
        return "%d min" % round(seconds / 60)
    return "%d h %02d min" % divmod(round(seconds / 60), 60)


if __name__ == "__main__":
    sys.exit(main())

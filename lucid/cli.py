"""`lucid-render`: render one feature visualization from the command line and save it (and optionally a GIF of
the optimization).

    lucid-render EfficientNetLite0 block5:17 -o channel.png
    lucid-render EfficientNetLite0 logits:daisy -o daisy.png --size 128 --steps 256 --gif daisy.gif
    lucid-render my_model.pb conv2:3 -o out.png          # a GraphDef written by Model.save

MODEL is a model zoo class name (see lucid.modelzoo.nets_factory.get_model) or a .pb file saved with
`Model.save`. OBJECTIVE is "layer:channel", or "layer:label" for a class of the model's labels (class_logit).
The output is a .png, .jpg, .jpeg, .webp or .npy file; --size is at most 1024. Every path and number is checked
before the model is loaded, and a bad one exits with status 2 and a one-line message.
"""

import argparse
import contextlib
import io
import logging
import os
import sys
import time

from lucid.misc.commandline import OneLineParser, import_tensorflow_quietly, unwritable_problem

__all__ = [
    "build_parser",
    "check_arguments",
    "GIF_FRAMES",
    "load_model",
    "main",
    "MAX_SIZE",
    "microscope_main",
    "OUTPUT_EXTENSIONS",
    "parse_objective",
    "sweep_main",
]

import_tensorflow_quietly()

import lucid  # noqa: E402
from lucid.misc.io import save  # noqa: E402
from lucid.modelzoo import nets_factory  # noqa: E402
from lucid.modelzoo.vision_base import Model  # noqa: E402
from lucid.optvis import objectives, precision, render  # noqa: E402

log = logging.getLogger(__name__)

GIF_FRAMES = 64  # about this many frames in a --gif animation
MAX_SIZE = 1024  # largest --size: a render's memory grows with its square (InceptionV1 at 1024 px: several GB)
OUTPUT_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".npy")


def _is_model_file(name_or_path):
    return name_or_path.endswith(".pb") or os.sep in name_or_path


def load_model(name_or_path):
    """A zoo model by class name, or the Model saved by `Model.save` at a .pb path."""
    if _is_model_file(name_or_path):
        return Model.load(name_or_path)
    return nets_factory.get_model(name_or_path)


def _writable_file_problem(path, extensions, what):
    """Why `path` cannot take the `what` file (one of `extensions`), or None if it can."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in extensions:
        return "%s %r needs one of the extensions %s" % (what, path, ", ".join(extensions))
    if os.path.isdir(path):
        return "%s %r is a directory; give a file name such as %s" % (what, path, os.path.join(path, "out" + ext))
    return unwritable_problem(path, what)


def check_arguments(args):
    """The first problem with the parsed arguments, as a one-line message, or None. Runs before any model loads."""
    if _is_model_file(args.model) and not os.path.isfile(args.model):
        return (
            "no model file %r; give a zoo model name (e.g. EfficientNetLite0) or the path of a .pb written by "
            "Model.save" % args.model
        )
    if args.size > MAX_SIZE:
        return "--size must be at most %d, got %d" % (MAX_SIZE, args.size)
    if not args.fps > 0:
        return "--fps must be positive, got %s" % args.fps
    problem = _writable_file_problem(args.output, OUTPUT_EXTENSIONS, "-o")
    if problem is None and args.gif:
        problem = _writable_file_problem(args.gif, (".gif",), "--gif")
        if problem is None and os.path.abspath(args.gif) == os.path.abspath(args.output):
            problem = "--gif and -o name the same file %r" % args.gif
    return problem


def _save_all(outputs):
    """Save each `(thing, path, kwargs)`; if one fails, remove those already written, so no half result is left."""
    written = []
    try:
        for thing, path, kwargs in outputs:
            existed = os.path.exists(path)
            save(thing, path, **kwargs)
            if not existed:
                written.append(path)
    except BaseException:
        for path in written:
            os.remove(path)
        raise


def parse_objective(text):
    """ "layer:label" with a non-numeric label -> objectives.class_logit; anything else as_objective (so
    "layer:channel" -> objectives.channel)."""
    layer, sep, unit = text.partition(":")
    if sep and layer.strip() and unit.strip() and not unit.strip().lstrip("-").isdigit():
        return objectives.class_logit(layer.strip(), unit.strip())
    return objectives.as_objective(text)


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer, got %s" % text)
    return value


def build_parser():
    parser = OneLineParser(
        prog="lucid-render",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("model", metavar="MODEL", help="zoo model name or .pb path saved by Model.save")
    parser.add_argument("objective", metavar="OBJECTIVE", help='"layer:channel" or "layer:label"')
    parser.add_argument("-o", "--output", required=True, help="image file to write (.png, .jpg, .npy, ...)")
    parser.add_argument(
        "--size", type=_positive_int, default=128, help="image width and height (default 128, at most %d)" % MAX_SIZE
    )
    parser.add_argument("--steps", type=_positive_int, default=512, help="optimization steps (default 512)")
    parser.add_argument("--seed", type=int, default=0, help="random seed, for reproducible images (default 0)")
    parser.add_argument("--gif", help="also write an animated GIF of the optimization to this .gif file")
    parser.add_argument("--fps", type=float, default=10, help="frames per second of the GIF (default 10)")
    parser.add_argument(
        "--precision",
        choices=precision.PRECISIONS,
        default="float32",
        help="the model's arithmetic: float32 (default, the original's numbers), bfloat16 (CPU), float16 (GPU), "
        "or auto (reduced only where the hardware computes it fast)",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="the fast path: the image and late ReLU gradients computed another way (other numbers than the "
        "original's, at most a few percent faster; README, lucid.optvis.fast)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    return parser


def main(argv=None):
    """Run `lucid-render` with `argv` (default: sys.argv[1:]); returns 0, exits with status 2 on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = check_arguments(args)
    if problem:
        parser.exit(2, "%s: error: %s\n" % (parser.prog, problem))
    thresholds = {args.steps - 1}
    if args.gif:
        thresholds.update(range(0, args.steps, max(1, args.steps // GIF_FRAMES)))

    start = time.time()
    previous_seed = lucid.seed
    lucid.seed = args.seed
    try:
        model = load_model(args.model)
        # render_vis prints "step loss" at each snapshot, as the original did; the command shows its progress bar
        # and one summary line instead.
        with contextlib.redirect_stdout(io.StringIO()):
            images = render.render_vis(
                model,
                parse_objective(args.objective),
                image_size=args.size,
                thresholds=thresholds,
                verbose=not args.quiet,
                show_image=False,
                use_fixed_seed=True,
                precision=args.precision,
                fast=args.fast,
            )
        # An image file keeps the [0, 1] values as they are (save's own default stretches min..max).
        is_array_file = args.output.lower().endswith(".npy")
        outputs = [(images[-1][0], args.output, {} if is_array_file else {"domain": (0, 1)})]
        if args.gif:
            outputs.append((images, args.gif, {"fps": args.fps}))
        _save_all(outputs)
    except (ValueError, KeyError, TypeError, FileNotFoundError) as error:
        log.debug("lucid-render failed.", exc_info=True)
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        parser.exit(2, "%s: error: %s\n" % (parser.prog, message))
    finally:
        lucid.seed = previous_seed
    if not args.quiet:
        written = args.output + (" and " + args.gif if args.gif else "")
        print(
            "%s of %s, %d steps in %.1f s -> %s"
            % (args.objective, model.name, args.steps, time.time() - start, written)
        )
    return 0


# The entry points of lucid.scale's commands start here, after TensorFlow was imported quietly above: importing
# lucid.scale (which loads TensorFlow) from its own module would print TF's start-up lines first.
def sweep_main(argv=None):
    """`lucid-render-sweep` (lucid.scale.cli.main)."""
    from lucid.scale import cli

    return cli.main(argv)


def microscope_main(argv=None):
    """`lucid-microscope` (lucid.scale.cli.microscope_main)."""
    from lucid.scale import cli

    return cli.microscope_main(argv)


if __name__ == "__main__":
    sys.exit(main())

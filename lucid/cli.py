"""`lucid-render`: render one feature visualization from the command line and save it (and optionally a GIF of
the optimization).

    lucid-render EfficientNetLite0 block5:17 -o channel.png
    lucid-render EfficientNetLite0 logits:daisy -o daisy.png --size 128 --steps 256 --gif daisy.gif
    lucid-render my_model.pb conv2:3 -o out.png          # a GraphDef written by Model.save

MODEL is a model zoo class name (see lucid.modelzoo.nets_factory.get_model) or a .pb file saved with
`Model.save`. OBJECTIVE is "layer:channel", or "layer:label" for a class of the model's labels (class_logit).
"""

import argparse
import logging
import os
import sys
import time

import lucid
from lucid.misc.io import save, save_gif
from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives, precision, render

log = logging.getLogger(__name__)

GIF_FRAMES = 64  # about this many frames in a --gif animation


def load_model(name_or_path):
    """A zoo model by class name, or the Model saved by `Model.save` at a .pb path."""
    if name_or_path.endswith(".pb") or os.sep in name_or_path:
        if not os.path.isfile(name_or_path):
            raise FileNotFoundError(
                "No model file %r; give a zoo model name (e.g. EfficientNetLite0) or the path "
                "of a .pb written by Model.save." % name_or_path
            )
        return Model.load(name_or_path)
    return nets_factory.get_model(name_or_path)


def parse_objective(text):
    """ "layer:label" with a non-numeric label -> objectives.class_logit; anything else as_objective (so
    "layer:channel" -> objectives.channel)."""
    layer, sep, unit = text.partition(":")
    if sep and layer.strip() and unit.strip() and not unit.strip().isdigit():
        return objectives.class_logit(layer.strip(), unit.strip())
    return objectives.as_objective(text)


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer, got %s" % text)
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="lucid-render",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("model", metavar="MODEL", help="zoo model name or .pb path saved by Model.save")
    parser.add_argument("objective", metavar="OBJECTIVE", help='"layer:channel" or "layer:label"')
    parser.add_argument("-o", "--output", required=True, help="image file to write (.png, .jpg, .npy, ...)")
    parser.add_argument("--size", type=_positive_int, default=128, help="image width and height (default 128)")
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
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    return parser


def main(argv=None):
    """Run `lucid-render` with `argv` (default: sys.argv[1:]); returns 0, exits with status 2 on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.gif and not args.gif.lower().endswith(".gif"):
        parser.error("--gif needs a path ending in .gif, got %r" % args.gif)
    if not args.fps > 0:
        parser.error("--fps must be positive, got %s" % args.fps)
    thresholds = {args.steps - 1}
    if args.gif:
        thresholds.update(range(0, args.steps, max(1, args.steps // GIF_FRAMES)))

    start = time.time()
    previous_seed = lucid.seed
    lucid.seed = args.seed
    try:
        model = load_model(args.model)
        images = render.render_vis(
            model,
            parse_objective(args.objective),
            image_size=args.size,
            thresholds=thresholds,
            verbose=not args.quiet,
            show_image=False,
            use_fixed_seed=True,
            precision=args.precision,
        )
        save(images[-1][0], args.output)
        if args.gif:
            save_gif(images, args.gif, fps=args.fps)
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


if __name__ == "__main__":
    sys.exit(main())

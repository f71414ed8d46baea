"""Browse the model zoo from a shell, without downloading anything.

python -m lucid.modelzoo list                # every model: input size, value range, number of layers
python -m lucid.modelzoo layers InceptionV1  # one model's layers: name, depth, tags
"""

import argparse
import logging
import sys

import numpy as np

from lucid.modelzoo.nets_factory import get_model, models_map

log = logging.getLogger(__name__)


def _format_range(image_value_range):
    """`(-117, 138)`, or per-channel bounds as `([-103.9, ...], [151.1, ...])` rounded to one decimal."""
    bounds = [np.round(np.asarray(bound, dtype=float), 1) for bound in image_value_range]
    return "({})".format(", ".join(str(bound.tolist()) if bound.ndim else "{:g}".format(bound) for bound in bounds))


def _format_shape(image_shape):
    return "x".join("?" if size is None else str(size) for size in image_shape)


def list_models(out):
    """Print a table of every zoo model."""
    rows = [("model", "input", "value range", "BGR", "layers", "dataset")]
    for name in sorted(models_map):
        model = models_map[name]
        rows.append(
            (
                name,
                _format_shape(model.image_shape),
                _format_range(model.image_value_range),
                "yes" if getattr(model, "is_BGR", False) else "",
                str(len(model.layers)),
                getattr(model, "dataset", "") or "",
            )
        )
    _print_table(rows, out)


def list_layers(name, out):
    """Print the layers of the zoo model called `name`."""
    model = get_model(name)
    out.write(
        "{}: input {} in {}{}, {} layers\n".format(
            model.name,
            _format_shape(model.image_shape),
            _format_range(model.image_value_range),
            " (BGR)" if getattr(model, "is_BGR", False) else "",
            len(model.layers),
        )
    )
    rows = [("#", "layer", "depth", "tags")]
    rows += [
        (str(index), layer.name, str(layer.depth), ", ".join(sorted(layer.tags)))
        for index, layer in enumerate(model.layers)
    ]
    _print_table(rows, out)


def _print_table(rows, out):
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")


def main(argv=None, out=None):
    """Run the command line `argv` (default sys.argv[1:]); returns the exit status."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m lucid.modelzoo", description="Browse Lucid's model zoo.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list every model with its input size, value range and layer count")
    layers_parser = commands.add_parser("layers", help="list a model's layers (name, depth, tags)")
    layers_parser.add_argument("name", help="a model class name, e.g. InceptionV1")
    args = parser.parse_args(argv)
    if args.command == "list":
        list_models(out)
        return 0
    try:
        list_layers(args.name, out)
    except ValueError as error:  # unknown model: the message suggests names
        sys.stderr.write("{}\n".format(error))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

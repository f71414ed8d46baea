"""Quality and cost of lucid.recipes.class_visualization against the plain MACO render (`param.maco` with
render_vis's defaults: class logit, MACO's transforms, Adam 0.2), in bench_precision_quality's design.

    python benchmarks/bench_class_recipe.py [--seeds 5] [--steps 256] [--recipe-steps 224] [--views 2] [--classes 16]

Each seed renders the 16 classes of bench_precision_quality in one batch with each setup, interleaved, with the
same seed (the same initial phases); each render is scored in float32 on 8 random views per image that the
optimization never used (lucid.recipes.quality.robust_accuracy). Prints per seed, then each setup's mean top-1
with its standard error over seeds, the paired difference against MACO, and its render time over MACO's.
"""

import argparse
import os
import time

import numpy as np
from bench_precision_quality import CLASSES

import lucid
import lucid.modelzoo.vision_models as models
from lucid.optvis import param, render
from lucid.recipes import quality
from lucid.recipes.class_visualization import class_objective, class_visualization


def maco(model, classes, size, steps):
    """The plain MACO render: param.maco with render_vis's MACO defaults."""
    return render.render_vis(
        model,
        class_objective(classes, log_softmax=False),
        param_f=lambda: param.maco(size, batch=len(classes)),
        thresholds=(steps - 1,),
        verbose=False,
        use_fixed_seed=True,
    )[-1]


def setups(args):
    """name -> function(model, classes) returning the renders; "maco" first, the baseline."""
    return {
        "maco": lambda model, classes: maco(model, classes, args.size, args.steps),
        "recipe": lambda model, classes: class_visualization(
            model, classes, size=args.size, steps=args.recipe_steps, views=args.views, use_fixed_seed=True
        ),
    }


def standard_error(values):
    return np.std(values, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--recipe-steps", type=int, help="the recipe's steps (default: --steps)")
    parser.add_argument("--views", type=int, default=2, help="the recipe's views per image per step")
    parser.add_argument("--classes", type=int, default=len(CLASSES), help="the first N of the 16 classes")
    args = parser.parse_args()
    args.recipe_steps = args.recipe_steps or args.steps
    model = models.EfficientNetLite0()
    classes = CLASSES[: args.classes]
    named = setups(args)
    top1 = {name: [] for name in named}
    seconds = {name: [] for name in named}
    maco(model, classes[:2], 32, 2)  # TensorFlow's first-render costs, outside the timed renders
    print(
        "%d classes, %d px, maco %d steps, recipe %d steps x %d views, load %s"
        % (len(classes), args.size, args.steps, args.recipe_steps, args.views, "%.2f %.2f %.2f" % os.getloadavg())
    )
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        line = "seed %d:" % seed
        for name in list(named) if seed % 2 == 0 else list(named)[::-1]:
            lucid.seed = seed
            start = time.perf_counter()
            images = named[name](model, classes)
            seconds[name].append(time.perf_counter() - start)
            top1[name].append(quality.robust_accuracy(model, images, classes, n_views=8).mean())
            line += "  %s %.3f (%.0f s)" % (name, top1[name][-1], seconds[name][-1])
        print(line + "  load %.2f" % os.getloadavg()[0], flush=True)
    for name in named:
        diff = np.array(top1[name]) - np.array(top1["maco"])
        ratios = np.array(seconds[name]) / np.array(seconds["maco"])
        print(
            "%-7s top-1 %.3f (standard error %.3f), minus maco %+.3f (standard error %.3f), time / maco %.2f "
            "(min %.2f, max %.2f), over %d seeds"
            % (
                name,
                np.mean(top1[name]),
                standard_error(top1[name]),
                diff.mean(),
                standard_error(diff),
                np.median(ratios),
                ratios.min(),
                ratios.max(),
                len(diff),
            )
        )


if __name__ == "__main__":
    main()

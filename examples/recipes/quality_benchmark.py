"""Measure class renders of EfficientNet-Lite0 for each parameterization (default, pixel-only, MACO), offline.

    python examples/recipes/quality_benchmark.py out/quality --steps 256

For each class: the fraction of random crops/rescales of the render (views not used while optimizing) that the
model classifies as the class, and the class logit reached divided by its highest value on natural images (random
crops of scikit-learn's sample photos, which ship with it). Writes one PNG of renders per parameterization and
prints a table.
"""

import argparse
import os

import numpy as np

import lucid.modelzoo.vision_models as models
from lucid.misc.io import save
from lucid.recipes import quality

CLASSES = [949, 985, 1, 309, 130, 417]  # strawberry, daisy, goldfish, bee, flamingo, balloon


def natural_images():
    try:
        from sklearn.datasets import load_sample_images
    except ImportError as error:
        raise SystemExit("The natural images are scikit-learn's sample photos: pip install scikit-learn") from error
    return quality.natural_crops([image / 255.0 for image in load_sample_images().images], n_crops=64, size=224)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="folder for the PNGs")
    parser.add_argument("--steps", type=int, default=256, help="optimization steps per render")
    parser.add_argument("--views", type=int, default=16, help="random views per render")
    parser.add_argument("--classes", type=int, nargs="+", default=CLASSES, help="ImageNet class indices")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    model = models.EfficientNetLite0()
    results = quality.benchmark(model, args.classes, natural_images(), steps=args.steps, n_views=args.views)
    print("%-8s %9s %7s %8s   per class (accuracy / ratio)" % ("param", "accuracy", "ratio", "seconds"))
    for name, result in results.items():
        save(np.hstack(result["images"]), os.path.join(args.out_dir, "quality_%s.png" % name))
        per_class = ", ".join(
            "%s %.2f/%.2f" % (model.labels[c].split(",")[0], a, r)
            for c, a, r in zip(args.classes, result["per_class_accuracy"], result["per_class_ratio"])
        )
        print("%-8s %9.2f %7.2f %8.0f   %s" % (name, result["accuracy"], result["ratio"], result["seconds"], per_class))


if __name__ == "__main__":
    main()

"""Shared bits of the recipe examples: the model, an output folder, and test photos that need no download."""

import argparse
import os

import numpy as np

import lucid.modelzoo.vision_models as models
from lucid.misc.io import save
from lucid.misc.ndimage_utils import checkerboard_composite, resize


def parse_args(doc, **defaults):
    """`out_dir` plus --steps and --size, with the script's own defaults."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("out_dir", help="folder for the PNGs")
    parser.add_argument("--steps", type=int, default=defaults.get("steps", 128), help="optimization steps")
    parser.add_argument("--size", type=int, default=defaults.get("size", 128), help="image size in pixels")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    return args


def model():
    """The embedded EfficientNet-Lite0 (offline)."""
    return models.EfficientNetLite0()


def write(images, out_dir, name):
    """Save an image, or a batch side by side, as out_dir/name.png; RGBA is drawn over a checkerboard."""
    images = np.asarray(images)
    if images.shape[-1] == 4:
        images = checkerboard_composite(images)
    if images.ndim == 4:
        images = np.hstack(images)
    path = os.path.join(out_dir, name + ".png")
    save(images, path)
    print("wrote", path)


def photos(size):
    """Two square photos [size, size, 3] in [0, 1]: scikit-learn's sample photos when it is installed (they ship
    inside the package), else two synthetic images."""
    try:
        from sklearn.datasets import load_sample_images

        images = [image / 255.0 for image in load_sample_images().images]
    except ImportError:
        y, x = np.mgrid[:256, :256] / 256.0
        images = [
            np.stack([x, y, 0.5 + 0.5 * np.sin(12 * x * y)], -1),
            np.stack([0.5 + 0.5 * np.sin(40 * x), 0.5 + 0.5 * np.cos(25 * y), x * y], -1),
        ]
    squares = []
    for image in images:
        side = min(image.shape[:2])
        top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
        squares.append(resize(image[top : top + side, left : left + side], size, order=1).clip(0, 1).astype(np.float32))
    return squares

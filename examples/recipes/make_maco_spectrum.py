"""Recompute MACO's default magnitude spectrum (lucid/optvis/param/maco_spectrum.npy) from natural photos.

    python examples/recipes/make_maco_spectrum.py                  # scikit-learn's sample photos -> the package file
    python examples/recipes/make_maco_spectrum.py --images DIR -o my_spectrum.npy

The shipped file was made by the first command: scikit-learn's two sample photos (china.jpg, flower.jpg), short
side resized to 224, 336 and 448 px, 8 random 224 x 224 crops per scale and their transposes, stored as float16.
"""

import argparse
import importlib
import os
import tempfile

import numpy as np

# The module itself: `lucid.optvis.param.maco` as an attribute is the `maco` function.
maco = importlib.import_module("lucid.optvis.param.maco")


def sample_photos():
    """scikit-learn's sample photos as floats in [0, 1] (they ship inside the package: no download)."""
    try:
        from sklearn.datasets import load_sample_images
    except ImportError as error:
        raise SystemExit(
            "Without --images this script needs scikit-learn's sample photos: pip install scikit-learn"
        ) from error
    return [image / 255.0 for image in load_sample_images().images]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", help="folder of photos (default: scikit-learn's sample photos)")
    parser.add_argument("-o", "--out", default=maco.DEFAULT_SPECTRUM_PATH, help=".npy file to write")
    parser.add_argument("--size", type=int, default=224, help="spectrum size (image side in pixels)")
    args = parser.parse_args()

    spectrum = maco.estimate_spectrum(args.images or sample_photos(), size=args.size)
    fd, tmp = tempfile.mkstemp(suffix=".npy", dir=os.path.dirname(os.path.abspath(args.out)))
    with os.fdopen(fd, "wb") as handle:
        np.save(handle, spectrum.astype(np.float16))
    os.replace(tmp, args.out)
    print("spectrum %s -> %s" % (spectrum.shape, args.out))


if __name__ == "__main__":
    main()

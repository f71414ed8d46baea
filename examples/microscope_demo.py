"""The Microscope demo, offline: the first 8 units of EfficientNet-Lite0's block4 and block5 (96 px, 128 steps)
with scikit-learn's sample photos as dataset images, their circuits and classes, and pages for two classes.

    python examples/microscope_demo.py [SITE]      # default ./microscope_demo; open SITE/index.html

Needs the scale extra and scikit-learn (`pip install -e '.[scale,recipes]'`). A few minutes on 2 cores.
"""

import os
import sys

import PIL.Image
from sklearn.datasets import load_sample_images

from lucid.scale import microscope


def sample_photos(folder):
    """Write the two photos that scikit-learn ships (a Chinese temple, a flower) to `folder`, each whole and as
    its four quarters (more, smaller scenes to pick examples from); return the folder."""
    os.makedirs(folder, exist_ok=True)
    samples = load_sample_images()
    for name, photo in zip(samples.filenames, samples.images):
        stem = os.path.splitext(os.path.basename(name))[0]
        PIL.Image.fromarray(photo).save(os.path.join(folder, stem + ".jpg"))
        height, width = photo.shape[0] // 2, photo.shape[1] // 2
        for row in range(2):
            for col in range(2):
                quarter = photo[row * height : (row + 1) * height, col * width : (col + 1) * width]
                PIL.Image.fromarray(quarter).save(os.path.join(folder, "%s-%d%d.jpg" % (stem, row, col)))
    return folder


if __name__ == "__main__":  # the local cluster's worker processes import this module
    site = sys.argv[1] if len(sys.argv) > 1 else "microscope_demo"
    photos = sample_photos(os.path.join(site + "_photos"))
    records = microscope(
        "EfficientNetLite0",
        site,
        layers=["block4", "block5"],
        images=photos,
        units=8,
        size=96,
        steps=128,
        classes=["daisy", "palace"],
        class_steps=64,
        dream_steps=32,
    )
    print("%d units done; open %s" % (sum(r["status"] == "done" for r in records), os.path.join(site, "index.html")))

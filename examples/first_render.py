"""Render a first feature visualization offline, on the embedded EfficientNet-Lite0, and save it as a PNG.

    python examples/first_render.py                       # block5:17 -> first_render.png
    python examples/first_render.py "logits:985" -o daisy.png --steps 256
"""
import argparse
import time

import lucid.modelzoo.vision_models as models
from lucid.misc.io import save
from lucid.optvis import render


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("objective", nargs="?", default="block5:17", help='a "layer:channel" string')
    parser.add_argument("-o", "--out", default="first_render.png", help="PNG file to write")
    parser.add_argument("--steps", type=int, default=512, help="optimization steps")
    parser.add_argument("--size", type=int, default=128, help="image size in pixels")
    args = parser.parse_args()

    model = models.EfficientNetLite0()
    start = time.time()
    images = render.render_vis(
        model, args.objective, image_size=args.size, thresholds=(args.steps - 1,), verbose=False, use_fixed_seed=True
    )
    save(images[-1][0], args.out)
    print("%s of %s: %d steps in %.1f s -> %s" % (args.objective, model.name, args.steps, time.time() - start, args.out))


if __name__ == "__main__":
    main()

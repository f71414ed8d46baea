"""MACO on EfficientNet-Lite0: phase-only Fourier optimization with a natural magnitude spectrum, random crops,
and a transparency map from the accumulated gradients.

    python examples/recipes/maco.py out/maco --steps 256 --size 224

Writes the RGB renders and the same renders with their alpha over a checkerboard.
"""

import _common
import tensorflow as tf

from lucid.optvis import objectives, param, render

CLASSES = [949, 985, 1]  # strawberry, daisy, goldfish


def main():
    args = _common.parse_args(__doc__, steps=256, size=224)
    model = _common.model()
    objective = objectives.Objective.sum(
        [objectives.class_logit("logits", c, batch=i) for i, c in enumerate(CLASSES)]
        + [objectives.channel("block5", 17, batch=len(CLASSES))]
    )
    (rgba,) = render.render_vis(
        model,
        objective,
        param_f=lambda: param.maco(args.size, batch=len(CLASSES) + 1, alpha=True),
        transforms=param.maco_transforms(224),
        optimizer=tf.compat.v1.train.AdamOptimizer(0.2),
        thresholds=(args.steps - 1,),
        verbose=False,
    )
    _common.write(rgba[..., :3], args.out_dir, "maco_strawberry_daisy_goldfish_block5_17")
    _common.write(rgba, args.out_dir, "maco_with_alpha")


if __name__ == "__main__":
    main()

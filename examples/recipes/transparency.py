"""Transparent feature visualizations on EfficientNet-Lite0 (Differentiable Image Parameterizations, section 4):
an RGBA parameterization composited over random backgrounds, rewarded for transparency.

    python examples/recipes/transparency.py out/alpha --steps 256 --size 128
"""

import _common
import tensorflow as tf

from lucid.optvis import objectives, param, render, transform
from lucid.recipes import feature_visualization as fv


def main():
    args = _common.parse_args(__doc__, steps=256)
    model = _common.model()

    objective = objectives.channel("block5", 17)
    mean_alpha = objectives.Objective(lambda T: tf.reduce_mean(T("input")[..., 3:]), "mean_alpha")
    # Reward the channel, scaled up as the image gets more transparent; keep the alpha smooth.
    objective = objective * (1 - mean_alpha) - 0.1 * objectives.blur_alpha_each_step()
    (rgba,) = render.render_vis(
        model,
        objective,
        param_f=lambda: param.image(args.size, alpha=True),
        transforms=transform.standard_transforms
        + [
            transform.crop_or_pad_to(args.size, args.size),  # the static size collapse needs
            transform.collapse_alpha_random(),
        ],
        thresholds=(args.steps - 1,),
        verbose=False,
    )
    _common.write(rgba, args.out_dir, "alpha_block5_17")
    image, _ = fv.channel(model, "block5", 40, alpha=True, n_steps=args.steps)
    _common.write(image, args.out_dir, "alpha_recipe_block5_40")


if __name__ == "__main__":
    main()

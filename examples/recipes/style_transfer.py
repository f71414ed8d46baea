"""Style transfer on EfficientNet-Lite0 with lucid.optvis.style: one photo's content in another's style.

    python examples/recipes/style_transfer.py out/style --steps 256 --size 160

The optimized image and the content photo go through the model as one batch (so they share every random
transform); `StyleLoss` compares the image's Gram matrices with the style photo's, loaded by `set_style`.
"""

import _common
import numpy as np
import tensorflow as tf

from lucid.optvis import param, render, style, transform

STYLE_LAYERS = ["stem", "block1", "block2", "block3", "block4"]
CONTENT_LAYER = "block4"


def transfer(model, content, style_image, steps, content_weight=10.0):
    """An image [size, size, 3] with `content`'s block4 activations and `style_image`'s Gram matrices."""
    size = content.shape[0]
    losses = {}

    def objective(T):
        losses["style"] = style.StyleLoss([T(layer)[:1] for layer in STYLE_LAYERS])
        content_loss = style.mean_l2_loss(T(CONTENT_LAYER)[0], T(CONTENT_LAYER)[1])
        return -(losses["style"].style_loss + content_weight * content_loss)

    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        batch = tf.concat([param.image(size), tf.constant(content[None])], 0)
        # Feeding this tensor lets set_style run the style photo through the same layers.
        t_batch = tf.compat.v1.placeholder_with_default(batch, batch.shape)
        T = render.make_vis_T(
            model,
            objective,
            param_f=lambda: t_batch,
            transforms=[transform.jitter(4), transform.random_scale([0.95, 1.0, 1.05])],
        )
        sess.run(tf.compat.v1.global_variables_initializer())
        losses["style"].set_style({t_batch: np.stack([style_image, style_image])})
        for _ in range(steps):
            sess.run(T("vis_op"))
        return sess.run(T("input"))[0]


def main():
    args = _common.parse_args(__doc__, steps=256, size=160)
    content, style_image = _common.photos(args.size)
    result = transfer(_common.model(), content, style_image, args.steps)
    _common.write(np.stack([content, style_image, result]), args.out_dir, "style_content_style_result")


if __name__ == "__main__":
    main()

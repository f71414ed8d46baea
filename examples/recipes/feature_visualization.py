"""Feature visualization recipes on EfficientNet-Lite0: channels, neurons, diversity, interaction, negatives,
and a direction from activation differences.

    python examples/recipes/feature_visualization.py out/fv --steps 128 --size 128
"""

import _common

from lucid.recipes import feature_visualization as fv


def main():
    args = _common.parse_args(__doc__)
    model = _common.model()
    kwargs = dict(image_size=args.size, steps=args.steps)

    channels = fv.channel(model, "block5", [17, 40], n_steps=args.steps)
    _common.write([image[0] for image, _ in channels], args.out_dir, "channels_block5_17_40")
    image, _ = fv.neuron(model, "block4", 10, n_steps=args.steps)
    _common.write(image, args.out_dir, "neuron_block4_10")
    _common.write(fv.diversity(model, "block5", 17, n_images=3, **kwargs), args.out_dir, "diversity_block5_17")
    _common.write(
        fv.interaction(model, ("block5", 17), ("block5", 40), **kwargs), args.out_dir, "interaction_block5_17_40"
    )
    _common.write(fv.positive_and_negative(model, "block5", 17, **kwargs), args.out_dir, "positive_negative_block5_17")
    photo_a, photo_b = _common.photos(224)
    vec = fv.activation_difference(model, "block6", photo_a[None], photo_b[None])
    _common.write(
        fv.direction(model, "block6", vec, cossim_pow=1, **kwargs), args.out_dir, "direction_block6_photo_a_minus_b"
    )


if __name__ == "__main__":
    main()

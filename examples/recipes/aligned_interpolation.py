"""Aligned interpolation between two channels of EfficientNet-Lite0: frames sharing parameters stay aligned.

python examples/recipes/aligned_interpolation.py out/interp --steps 256 --size 128
"""

import _common

from lucid.recipes.image_interpolation_params import aligned_interpolation


def main():
    args = _common.parse_args(__doc__, steps=256)
    frames = aligned_interpolation(
        _common.model(),
        ("block5", 17),
        ("block5", 40),
        n_frames=5,
        width=args.size,
        alignment_layer="block3",
        steps=args.steps,
    )
    _common.write(frames, args.out_dir, "interpolation_block5_17_to_40")


if __name__ == "__main__":
    main()

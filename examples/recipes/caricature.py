"""Feature inversion ("caricatures") of a photo on EfficientNet-Lite0: what two layers keep of it.

python examples/recipes/caricature.py out/caricature --steps 256
"""

import _common

from lucid.recipes.caricature import feature_inversion


def main():
    args = _common.parse_args(__doc__, steps=256)
    photo = _common.photos(224)[0]
    result = feature_inversion(photo, _common.model(), ["block3", "block5"], n_steps=args.steps, verbose=False)
    _common.write(result, args.out_dir, "caricature_input_block3_block5")


if __name__ == "__main__":
    main()

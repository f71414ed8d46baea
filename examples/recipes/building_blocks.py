"""Building blocks on EfficientNet-Lite0: neuron groups (NMF of a photo's activations, each group rendered) and a
semantic dictionary (each position's top channels). Needs scikit-learn.

    python examples/recipes/building_blocks.py out/blocks --steps 128 --size 80
"""

import _common
import numpy as np

from lucid.misc.ndimage_utils import resize
from lucid.recipes.building_blocks import neuron_groups, semantic_dictionary


def main():
    args = _common.parse_args(__doc__, size=80)
    model = _common.model()
    photo = _common.photos(224)[0]
    images, factors, _ = neuron_groups(model, photo, "head", n_groups=4, image_size=args.size, steps=args.steps)
    # Where each group is active, as a heat map over the photo, above the group's rendering.
    heat = factors / np.maximum(factors.max((0, 1)), 1e-8)
    maps = [resize(np.repeat(heat[..., i : i + 1], 3, -1), args.size, order=0) for i in range(len(images))]
    _common.write(np.concatenate([np.stack(maps), images], 1), args.out_dir, "neuron_groups_head")
    dictionary = semantic_dictionary(model, photo, "block7", n_top=1, image_size=args.size, steps=args.steps)
    channels = sorted(dictionary["channel_images"])[:8]
    print("block7 top channels over the photo:", np.unique(dictionary["top_channels"]).tolist())
    _common.write(
        np.stack([dictionary["channel_images"][c] for c in channels]), args.out_dir, "semantic_dictionary_block7"
    )


if __name__ == "__main__":
    main()

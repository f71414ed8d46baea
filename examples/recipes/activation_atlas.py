"""An activation atlas of EfficientNet-Lite0's block6 from random crops of photos (needs scikit-learn; uses UMAP
when umap-learn is installed).

    python examples/recipes/activation_atlas.py out/atlas --steps 64 --size 48
"""

import _common
import numpy as np

from lucid.recipes.activation_atlas.main import activation_atlas, sample_activations
from lucid.recipes.quality import natural_crops


def main():
    args = _common.parse_args(__doc__, steps=64, size=48)
    model = _common.model()
    crops = natural_crops(_common.photos(448), n_crops=96, size=160)
    acts = sample_activations(model, "block6", crops, positions_per_image=8)
    print("laying out %d activation vectors" % len(acts))
    atlas = activation_atlas(
        model,
        "block6",
        grid_size=6,
        icon_size=args.size,
        activations=acts,
        n_steps=args.steps,
        icon_batch_size=16,
        threshold=3,
    )
    _common.write(np.asarray(atlas), args.out_dir, "atlas_block6")


if __name__ == "__main__":
    main()

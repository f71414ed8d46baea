"""The old name of lucid.scale.dataset (dataset examples), kept so that existing imports work."""

from lucid.scale.dataset import (  # noqa: F401
    CHUNK,
    IMAGE_EXTENSIONS,
    PATCH_PX,
    extremes_over_images,
    fingerprint,
    list_images,
    patches,
)

__all__ = ["CHUNK", "IMAGE_EXTENSIONS", "PATCH_PX", "extremes_over_images", "fingerprint", "list_images", "patches"]

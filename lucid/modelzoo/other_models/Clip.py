"""The image encoder of OpenAI's CLIP (ResNet-50 x4): no labels, no layer list."""

import logging

from lucid.modelzoo.vision_base import Model

__all__ = ["Model", "Clip_ResNet50_4x"]

log = logging.getLogger(__name__)


class Clip_ResNet50_4x(Model):
    """CLIP RN50x4 image encoder, pixels in (0, 255) at 288x288. `layers` is empty: find tensor names with
    show_graph()."""

    model_path = "gs://modelzoo/vision/other_models/Clip_ResNet50_4x.pb"
    model_name = "Clip_ResNet50_4x"
    image_shape = [288, 288, 3]
    image_value_range = (0, 255)
    input_name = "input_image"

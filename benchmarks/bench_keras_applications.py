"""Conversion and first-render seconds of one member of every keras.applications family (random weights).

Printed per family: Keras build seconds, one plain tf.function trace of the network (the baseline: conversion
should take about build + one trace), Model.from_keras seconds and their ratio to build + trace, seconds of
Model.from_function on the network's call and of Model.from_saved_model on its export (the export not counted),
seconds of a first render_vis (one step, the middle conv layer's channel 1, at the native size) and the number of
layers. Run:
    python benchmarks/bench_keras_applications.py [SIDE [FAMILY ...]]
"""

import sys
import tempfile
import time

import keras
import tensorflow as tf

from lucid.modelzoo.vision_base import Model
from lucid.optvis import param, render

FAMILIES = {
    "ConvNeXt": "ConvNeXtTiny",
    "DenseNet": "DenseNet121",
    "EfficientNet": "EfficientNetB0",
    "EfficientNetV2": "EfficientNetV2B0",
    "InceptionV3": "InceptionV3",
    "InceptionResNetV2": "InceptionResNetV2",
    "MobileNet": "MobileNet",
    "MobileNetV2": "MobileNetV2",
    "MobileNetV3": "MobileNetV3Small",
    "NASNet": "NASNetMobile",
    "ResNet": "ResNet50",
    "ResNetV2": "ResNet50V2",
    "VGG": "VGG16",
    "Xception": "Xception",
}


def main(side, families):
    print(
        "| family | model | build s | trace s | from_keras s | / (build + trace) | from_function s "
        "| from_saved_model s | first render s | layers | any size (min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for family in families:
        constructor = FAMILIES[family]
        start = time.perf_counter()
        net = getattr(keras.applications, constructor)(weights=None, input_shape=(side, side, 3), classes=10)
        build = time.perf_counter() - start
        spec = tf.TensorSpec([None, side, side, 3])
        start = time.perf_counter()
        tf.function(lambda x, net=net: net(x, training=False)).get_concrete_function(spec)
        trace = time.perf_counter() - start
        start = time.perf_counter()
        model = Model.from_keras(net)
        convert = time.perf_counter() - start
        start = time.perf_counter()
        Model.from_function(lambda x, net=net: net(x, training=False), spec, model.image_value_range)
        from_function = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as directory:
            net.export(directory, verbose=False)
            start = time.perf_counter()
            Model.from_saved_model(directory, image_value_range=model.image_value_range)
            from_saved_model = time.perf_counter() - start
        convs = [layer for layer in model.layers if "conv" in layer.tags and "/" not in layer.name]
        start = time.perf_counter()
        render.render_vis(
            model,
            convs[len(convs) // 2].name + ":1",
            param_f=lambda: param.image(side),
            thresholds=(1,),
            verbose=False,
        )
        first_render = time.perf_counter() - start
        support = model.size_support
        print(
            "| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {:.1f} | {:.1f} | {:.1f} | {} | {} |".format(
                family,
                constructor,
                build,
                trace,
                convert,
                convert / (build + trace),
                from_function,
                from_saved_model,
                first_render,
                len(model.layers),
                "yes ({})".format(support.min_size) if support.accepts_any_size else "no (fit to native)",
            ),
            flush=True,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 224, sys.argv[2:] or list(FAMILIES))

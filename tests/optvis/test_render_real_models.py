"""render_vis through the real code path on the InceptionV1 architecture (random weights) and the embedded
EfficientNet-Lite0 (real ImageNet weights)."""

import numpy as np
import pytest
import tensorflow as tf

import lucid.modelzoo.vision_models as models
from lucid.optvis import objectives, param, pruning, render
from lucid.testing import random_inception_v1


@pytest.fixture(scope="module")
def inception():
    return random_inception_v1()


def _objective_value(model, objective, image):
    """The value of `objective` on a fixed image (no transforms)."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_image = tf.constant(image)
        T = render.import_model(model, t_image, t_image)
        return sess.run(objectives.as_objective(objective)(T))


@pytest.mark.parametrize(
    "objective",
    ["mixed4a:476", objectives.channel("mixed4a_pre_relu", 476) + objectives.channel("mixed3b", 42) / 2],
    ids=["string", "algebra"],
)
def test_inception_v1_tutorial_objectives(inception, objective):
    """The tutorial's first objectives, as it typed them, rise from the first image to the tenth step's."""
    first, last = render.render_vis(inception, objective, thresholds=(0, 10), verbose=False, use_fixed_seed=True)
    assert last.shape == (1, 128, 128, 3) and np.isfinite(last).all()
    assert _objective_value(inception, objective, last) > _objective_value(inception, objective, first)


def test_inception_v1_pre_relu_layer_is_created_by_post_import(inception):
    with tf.Graph().as_default(), tf.compat.v1.Session():
        T = render.make_vis_T(inception, "mixed4a_pre_relu:476", lambda: param.image(64))
        assert T("mixed4a_pre_relu").shape.as_list()[-1] == 508
        assert T("mixed4a_pre_relu").op.type == "ConcatV2"


def test_inception_v1_channel_out_of_range_names_the_depth(inception):
    with pytest.raises(ValueError, match="508"):
        render.render_vis(inception, "mixed4a:508", thresholds=(0,), verbose=False)


def _predict(model, images):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_input)
        return sess.run(T("softmax"), {t_input: images})


@pytest.mark.parametrize("label", ["daisy", 949])  # 949: strawberry
def test_efficientnet_class_logit_gives_an_image_of_that_class(label):
    model = models.EfficientNetLite0()
    target = model.labels.index(label) if isinstance(label, str) else label
    (img,) = render.render_vis(
        model,
        objectives.class_logit("logits", label),
        image_size=128,
        thresholds=(63,),
        verbose=False,
        use_fixed_seed=True,
    )
    probs = _predict(model, img)
    assert probs[0].argmax() == target, (model.labels[probs[0].argmax()], probs[0].max())


def test_render_vis_imports_only_the_layers_its_objectives_read(inception):
    with tf.Graph().as_default():
        t_image = param.image(32)
        pruned = pruning.pruned_for(inception, ["mixed4a:476", objectives.channel("mixed3b", 1)], t_image)
        nodes = {node.name for node in pruned.graph_def.node}
        assert {"input", "mixed3b", "mixed4a"} <= nodes and not {"mixed4b", "softmax2", "nn0"} & nodes
        assert pruned.graph_def.ByteSize() < inception.graph_def.ByteSize() / 5
        # Not in the GraphDef (a tensor made by post_import) -> the whole model, whose T makes it.
        assert pruning.pruned_for(inception, ["mixed4a_pre_relu:3"], t_image) is inception
        assert pruning.pruned_for(inception, [lambda T: T("mixed4a_pre_relu")[..., 3]], t_image) is inception
        # A function of T is pruned by its trial build, as a declared objective is by its layers.
        trial = pruning.pruned_for(inception, [lambda T: tf.reduce_mean(T("mixed3b")[..., 1])], t_image)
        assert "mixed3b" in {node.name for node in trial.graph_def.node} and trial is not inception


def test_pruned_import_gives_the_same_images(inception, monkeypatch):
    def run():
        return render.render_vis(
            inception, "mixed4a:476", image_size=64, thresholds=(3,), verbose=False, use_fixed_seed=True
        )[0]

    pruned = run()
    monkeypatch.setattr(render, "pruned_for", lambda model, objective_fns, t_image: model)
    np.testing.assert_array_equal(pruned, run())

"""Every recipe on a model converted from Keras (`Model.from_keras`): feature visualization, caricatures,
image activations, aligned interpolation, activation atlases, building blocks, channel reduction, MACO, style
loss and the quality measures. Activations are checked against Keras itself; renders against their objective."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.misc.ndimage_utils import resize
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives, param, render, style
from lucid.recipes import building_blocks, caricature, quality
from lucid.recipes import feature_visualization as fv
from lucid.recipes import image_activations as ia
from lucid.recipes import image_interpolation_params as interp

keras = pytest.importorskip("keras")

SIZE = 32
LAYERS = ("conv1", "relu1", "conv2", "relu2", "logits")


@pytest.fixture(scope="module")
def keras_model():
    """Input(32, 32, 3) -> conv1 -> relu1 -> conv2 (stride 2) -> relu2 -> global average pool -> logits (10)."""
    init = keras.initializers.GlorotUniform
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Conv2D(
        8, 3, name="conv1", kernel_initializer=init(seed=1), bias_initializer=keras.initializers.Constant(0.05)
    )(inputs)
    x = keras.layers.ReLU(name="relu1")(x)
    x = keras.layers.Conv2D(
        16,
        3,
        strides=2,
        name="conv2",
        kernel_initializer=init(seed=2),
        bias_initializer=keras.initializers.Constant(0.05),
    )(x)
    x = keras.layers.ReLU(name="relu2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(10, name="logits", kernel_initializer=init(seed=3))(x)
    return keras.Model(inputs, outputs, name="tiny_keras")


@pytest.fixture(scope="module")
def model(keras_model):
    return Model.from_keras(keras_model, image_value_range=(0, 1))


@pytest.fixture(scope="module")
def images():
    """Smooth random images [8, 32, 32, 3] in [0, 1] (low-res noise upsampled, like photos more than noise)."""
    rng = np.random.RandomState(0)
    return np.stack([resize(rng.rand(8, 8, 3).astype(np.float32), (SIZE, SIZE), order=1) for _ in range(8)])


def keras_outputs(keras_model, images, names):
    """Reference activations straight from Keras: {name: array}."""
    probe = keras.Model(keras_model.inputs, [keras_model.get_layer(n).output for n in names])
    values = probe(np.asarray(images, np.float32), training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return {n: np.asarray(v) for n, v in zip(names, values)}


def channel_means(model, images, layer):
    return quality.channel_activations(model, images, layer)


def assert_images(result, shape):
    result = np.asarray(result)
    assert result.shape == shape
    assert np.all(np.isfinite(result)) and result.min() >= 0 and result.max() <= 1


def test_converted_model_exposes_the_keras_layers(model):
    names = [layer.name for layer in model.layers]
    for name in LAYERS:
        assert name in names
    tags = {layer.name: layer.tags for layer in model.layers}
    assert "conv" in tags["relu2"] and "dense" in tags["logits"]
    assert list(model.image_shape) == [SIZE, SIZE, 3]


def test_image_activations_match_keras(model, keras_model, images):
    acts = ia.image_activations(model, images[0])
    conv_layers = [layer.name for layer in model.layers if "conv" in layer.tags]
    assert set(acts) == set(conv_layers)
    reference = keras_outputs(keras_model, images[:1], ["conv1", "relu2"])
    assert acts["conv1"].shape == (30, 30, 8) and acts["relu2"].shape == (14, 14, 16)
    np.testing.assert_allclose(acts["conv1"], reference["conv1"][0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(acts["relu2"], reference["relu2"][0], rtol=1e-4, atol=1e-5)
    manifest = ia.manifest_image_activations(model, images[0], layer_names=["relu1"])
    (value,) = manifest["values"]
    assert manifest["type"] == "image-activations" and value["layer_name"] == "relu1"
    assert value["shape"] == (30, 30, 8)
    batch = ia.activations(model, model.get_layer("logits"), images, batch_size=3)
    np.testing.assert_allclose(batch, keras_outputs(keras_model, images, ["logits"])["logits"], rtol=1e-4, atol=1e-5)


def rise(losses):
    """How much a run's per-step objective rose: mean of its last 6 steps minus mean of its first 6 (single steps
    are noisy under the random transforms; for whole channels six steps average that out)."""
    losses = np.ravel(losses)
    return losses[-6:].mean() - losses[:6].mean()


def test_channel_and_neuron_raise_their_objective(model):
    results = fv.channel(model, "relu2", [0, 5], n_steps=24)
    assert len(results) == 2
    for image, losses in results:
        assert_images(image[None], (1, SIZE, SIZE, 3))
        assert losses.shape == (24,) and np.all(np.isfinite(losses))
        assert rise(losses) > 0
    image, losses = fv.neuron(model, model.get_layer("conv2"), 3, n_steps=24)
    assert_images(image, (1, SIZE, SIZE, 3))
    assert losses.shape == (1, 24) and np.all(np.isfinite(losses))
    # One neuron under jitter is too noisy per step: compare the rendered image, untransformed, with the images
    # the optimization starts from.
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_start = param.image(SIZE, fft=True, decorrelate=True, batch=8)
        sess.run(tf.compat.v1.global_variables_initializer())
        starts = sess.run(t_start)

    def centre_neuron(img):
        return ia.image_activations(model, img, ["conv2"])["conv2"][7, 7, 3]

    assert centre_neuron(image[0]) > 1.5 * max(centre_neuron(start) for start in starts)
    image, losses = fv.channel(model, "conv2", 3, n_steps=24, negative=True)
    assert rise(losses) > 0  # signed: the negated channel rises
    image, losses = fv.channel(model, "relu1", 2, n_steps=4, alpha=True)
    assert image.shape == (1, SIZE, SIZE, 4) and np.all(np.isfinite(losses))


def test_diversity_interaction_positive_and_negative(model):
    kwargs = dict(image_size=SIZE, steps=12, use_fixed_seed=True)
    assert_images(fv.diversity(model, "relu2", 1, n_images=2, strength=1.0, **kwargs), (2, SIZE, SIZE, 3))
    assert_images(fv.interaction(model, ("relu2", 1), ("relu1", 2), **kwargs), (3, SIZE, SIZE, 3))
    pair = fv.positive_and_negative(model, "conv2", 4, **kwargs)
    assert_images(pair, (2, SIZE, SIZE, 3))
    raised, lowered = channel_means(model, pair, "conv2")[:, 4]
    assert raised > lowered


def test_activation_difference_and_direction(model, keras_model, images):
    vec = fv.activation_difference(model, "relu2", images[:4], images[4:], batch_size=3)
    reference = keras_outputs(keras_model, images, ["relu2"])["relu2"]
    np.testing.assert_allclose(vec, reference[:4].mean((0, 1, 2)) - reference[4:].mean((0, 1, 2)), rtol=1e-3, atol=1e-5)
    start = render.render_vis(
        model,
        objectives.direction("relu2", vec),
        param_f=lambda: param.image(SIZE),
        thresholds=(0,),
        verbose=False,
        use_fixed_seed=True,
    )[-1]
    image = fv.direction(model, "relu2", vec, image_size=SIZE, steps=24, use_fixed_seed=True)
    assert_images(image, (1, SIZE, SIZE, 3))

    def alignment(img):
        acts = ia.image_activations(model, img[0], ["relu2"])["relu2"].mean((0, 1))
        return acts @ vec

    assert alignment(image) > alignment(start)


def test_feature_inversion(model, images):
    img = resize(images[0], (40, 40), order=1)
    result = caricature.feature_inversion(img, model, ["relu1", "relu2"], n_steps=12, verbose=False)
    assert_images(result, (3, SIZE, SIZE, 3))
    np.testing.assert_allclose(result[0], resize(img, (SIZE, SIZE)), atol=1e-5)
    with pytest.raises(TypeError, match="layer"):
        caricature.feature_inversion(img, model, [], n_steps=1, verbose=False)


def test_aligned_interpolation_and_interpolation_basis(model):
    frames = interp.aligned_interpolation(
        model, ("relu2", 0), ("relu2", 1), n_frames=3, width=SIZE, steps=4, use_fixed_seed=True
    )
    assert_images(frames, (3, SIZE, SIZE, 3))

    def basis():
        t = interp.multi_interpolation_basis(n_objectives=2, n_interp_steps=3, width=SIZE)
        return param.to_valid_rgb(tf.reshape(t, [-1, SIZE, SIZE, 3]), decorrelate=True)

    objective = objectives.Objective.sum([objectives.channel("relu2", i % 2, batch=i) for i in range(12)])
    rendered = render.render_vis(model, objective, param_f=basis, thresholds=(3,), verbose=False)[-1]
    assert_images(rendered, (12, SIZE, SIZE, 3))
    grid = rendered.reshape(2, 2, 3, SIZE, SIZE, 3)
    # Shared structure: pair (a, b) read backwards is pair (b, a); (a, a) is the same image at every step.
    np.testing.assert_allclose(grid[0, 1], grid[1, 0, ::-1], atol=1e-5)
    np.testing.assert_allclose(grid[0, 0, 0], grid[0, 0, 2], atol=1e-5)


def test_activation_atlas(model, images):
    pytest.importorskip("sklearn")
    from lucid.recipes.activation_atlas import main as atlas

    acts = atlas.sample_activations(model, "relu2", images, positions_per_image=8, batch_size=4)
    assert acts.shape == (64, 16) and acts.min() >= 0
    canvas = atlas.activation_atlas(
        model,
        "relu2",
        grid_size=2,
        icon_size=16,
        activations=acts,
        n_steps=4,
        threshold=2,
        layout_method="tsne",
        icon_batch_size=2,
    )
    assert_images(canvas, (32, 32, 3))
    assert not np.allclose(canvas, 1)  # at least one icon drawn over the white background


def test_building_blocks(model, images):
    pytest.importorskip("sklearn")
    rendered, factors, directions = building_blocks.neuron_groups(
        model, images[0], "relu2", n_groups=3, image_size=SIZE, steps=4, use_fixed_seed=True
    )
    assert_images(rendered, (3, SIZE, SIZE, 3))
    assert factors.shape == (14, 14, 3) and directions.shape == (3, 16)
    assert factors.min() >= 0 and directions.min() >= 0
    with pytest.raises(ValueError, match="NMF"):
        building_blocks.neuron_groups(model, images[0], "conv2", n_groups=2, steps=1)
    dictionary = building_blocks.semantic_dictionary(model, images[0], "relu2", n_top=2, image_size=16, steps=2)
    acts = ia.image_activations(model, images[0], ["relu2"])["relu2"]
    assert dictionary["top_channels"].shape == (14, 14, 2)
    np.testing.assert_allclose(dictionary["top_values"][..., 0], acts.max(-1), rtol=1e-6)
    assert set(dictionary["channel_images"]) == set(dictionary["top_channels"].ravel().tolist())
    for image in dictionary["channel_images"].values():
        assert_images(image, (16, 16, 3))


def test_channel_reducer_on_keras_activations(model, images):
    pytest.importorskip("sklearn")
    from lucid.misc.channel_reducer import ChannelReducer

    acts = ia.image_activations(model, images[1], ["relu2"])["relu2"]
    reducer = ChannelReducer(16, "NMF", max_iter=1000, init="nndsvda")
    factors = reducer.fit_transform(acts)
    assert factors.shape == (14, 14, 16) and reducer.components.shape == (16, 16)
    # As many components as channels: the factorization reproduces the activations.
    error = np.linalg.norm(factors @ reducer.components - acts) / np.linalg.norm(acts)
    assert error < 0.05
    pca = ChannelReducer(2, "PCA")
    projected = pca(acts)
    assert projected.shape == (14, 14, 2)
    flat = acts.reshape(-1, 16)
    np.testing.assert_allclose(projected.reshape(-1, 2), (flat - flat.mean(0)) @ pca.components.T, rtol=1e-4, atol=1e-5)


def test_maco_renders_through_maco_transforms(model):
    np.random.seed(0)
    snapshots = render.render_vis(
        model,
        objectives.channel("relu2", 3),
        param_f=lambda: param.maco(SIZE, batch=1, alpha=True),
        transforms=param.maco_transforms(SIZE),
        optimizer=tf.compat.v1.train.AdamOptimizer(0.2),
        thresholds=(0, 40),
        verbose=False,
    )
    first, last = snapshots
    assert last.shape == (1, SIZE, SIZE, 4) and np.all(np.isfinite(last))
    assert last[..., 3].max() > 0 and last[..., 3].min() >= 0 and last[..., 3].max() <= 1
    before, after = channel_means(model, np.concatenate([first, last])[..., :3], "relu2")[:, 3]
    assert after > before


def test_style_loss_on_two_layers(model, images):
    style_image, content = images[2], images[3]
    holder = {}

    def objective(T):
        holder["loss"] = style.StyleLoss([T("relu1")[:1], T("relu2")[:1]])
        return -holder["loss"].style_loss

    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_param = param.image(SIZE)
        t_batch = tf.compat.v1.placeholder_with_default(t_param, t_param.shape)
        # No transforms: the style image fed in is exactly what the layers see.
        T = render.make_vis_T(model, objective, param_f=lambda: t_batch, transforms=[])
        loss = holder["loss"]
        sess.run(tf.compat.v1.global_variables_initializer())
        loss.set_style({t_batch: style_image[None]})
        assert len(loss.target_vars) == 2
        assert sess.run(loss.style_loss, {t_batch: style_image[None]}) < 1e-3 * sess.run(
            loss.style_loss, {t_batch: content[None]}
        )
        start = sess.run(loss.style_loss)
        for _ in range(30):
            sess.run(T("vis_op"))
        end = sess.run(loss.style_loss)
    assert np.isfinite(end) and end < start


def test_quality_measures(model, keras_model, images):
    logits = keras_outputs(keras_model, images, ["logits"])["logits"]
    targets = logits.argmax(1)
    # Views that cover the whole image at the model's size are the images themselves: all correct.
    exact = quality.robust_accuracy(
        model, images[:2], targets[:2], n_views=2, crop_range=(1.0, 1.0), scale_range=(1.0, 1.0)
    )
    np.testing.assert_array_equal(exact, [1.0, 1.0])
    fractions = quality.robust_accuracy(model, images[:2], targets[:2], n_views=3)
    assert fractions.shape == (2,) and np.all((fractions >= 0) & (fractions <= 1))
    relu2 = keras_outputs(keras_model, images, ["relu2"])["relu2"]
    np.testing.assert_allclose(
        quality.channel_activations(model, images, "relu2"), relu2.mean((1, 2)), rtol=1e-4, atol=1e-5
    )
    classes = [int(c) for c in np.argsort(-logits.max(0))[:2]]  # positive on some natural image
    results = quality.benchmark(
        model,
        classes,
        images,
        setups={k: v for k, v in quality.parameterizations(image_size=SIZE, maco_size=SIZE).items() if k != "pixel"},
        steps=6,
        n_views=2,
    )
    assert set(results) == {"default", "maco"}
    for result in results.values():
        assert result["images"].shape == (2, SIZE, SIZE, 3)
        # The figures are quality's measures of the returned renders (views are seeded).
        accuracy = quality.robust_accuracy(model, result["images"], classes, n_views=2)
        np.testing.assert_array_equal(result["per_class_accuracy"], accuracy)
        ratio = quality.activation_ratio(model, result["images"], "logits", classes, images)
        np.testing.assert_allclose(result["per_class_ratio"], ratio, rtol=1e-6)

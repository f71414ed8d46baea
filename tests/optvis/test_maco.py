"""param.maco: fixed magnitude spectrum, phase-only optimization, accumulated-gradient alpha, its transforms,
and estimate_spectrum."""

import importlib

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
from tiny_models import TinyConvNet, layer_values

from lucid.optvis import objectives, param, render
from lucid.optvis.param.color import color_correlation_svd_sqrt, color_mean, max_norm_svd_sqrt

maco_module = importlib.import_module("lucid.optvis.param.maco")
COLOR = color_correlation_svd_sqrt / max_norm_svd_sqrt


def decorrelated_magnitude(rgb):
    """|orthonormal rfft2| of an RGB image [H, W, 3] taken back to maco's decorrelated colour space: [3, H, W//2+1]."""
    z = (rgb - np.asarray(color_mean)) @ np.linalg.inv(COLOR.T)
    return np.abs(np.fft.rfft2(z, axes=(0, 1), norm="ortho")).transpose(2, 0, 1)


def test_default_spectrum_ships_and_loads():
    spectrum = maco_module.load_spectrum()
    assert spectrum.shape == (3, 224, 113) and spectrum.dtype == np.float32
    assert np.all(np.isfinite(spectrum)) and spectrum.min() >= 0
    # Natural images: much more energy at low than at high frequencies.
    assert spectrum[:, 1:4, 1:4].mean() > 50 * spectrum[:, 100:120, 100:].mean()


def test_maco_output_has_exactly_the_fixed_magnitude(sess):
    h, w = 12, 10
    spectrum = np.random.rand(3, 16, 9).astype(np.float32) * 0.02  # small: no pixel gets clipped
    t = param.maco(w, h, batch=2, spectrum=spectrum, alpha=True)
    sess.run(tf.compat.v1.global_variables_initializer())
    images = sess.run(t)
    assert images.shape == (2, h, w, 4)
    np.testing.assert_array_equal(images[..., 3], 0)  # no gradient accumulated yet
    expected = maco_module.resample_spectrum(spectrum, h, w)
    for image in images:
        assert 0 < image[..., :3].min() and image[..., :3].max() < 1
        np.testing.assert_allclose(image[..., :3].mean((0, 1)), color_mean, atol=1e-5)
        # Columns 0 and w/2 hold self-conjugate bins that irfft2d symmetrizes; all others are exact.
        np.testing.assert_allclose(
            decorrelated_magnitude(image[..., :3])[:, :, 1:-1], expected[:, :, 1:-1], rtol=1e-3, atol=1e-6
        )


def test_resample_spectrum():
    spectrum = np.random.rand(3, 8, 5).astype(np.float32)
    same = maco_module.resample_spectrum(spectrum, 8, 8)
    np.testing.assert_allclose(same[:, 0, 0], 0)
    same[:, 0, 0] = spectrum[:, 0, 0]
    np.testing.assert_allclose(same, spectrum, rtol=1e-6)
    # A spectrum that is linear in the frequencies is interpolated exactly.
    fy, fx = np.abs(np.fft.fftfreq(8))[:, None], np.fft.rfftfreq(8)[None]
    linear = np.broadcast_to(1 + fy + 2 * fx, (3, 8, 5)).astype(np.float32)
    resampled = maco_module.resample_spectrum(linear, 6, 4)
    assert resampled.shape == (3, 6, 3)
    want = 1 + np.abs(np.fft.fftfreq(6))[:, None] + 2 * np.fft.rfftfreq(4)[None]
    np.testing.assert_allclose(resampled[0].ravel()[1:], want.ravel()[1:], rtol=1e-5)


def test_spectrum_errors(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        param.maco(8, spectrum=np.ones((3, 8, 8)))
    with pytest.raises(ValueError, match="non-negative"):
        param.maco(8, spectrum=-np.ones((3, 8, 5)))
    with pytest.raises(FileNotFoundError, match="estimate_spectrum"):
        param.maco(8, spectrum=str(tmp_path / "missing.npy"))
    with pytest.raises(ValueError, match="at least 2"):
        param.maco(1)


def test_maco_transforms(sess):
    image = tf.constant(np.concatenate([np.full((3, 20, 30, 3), 0.3), np.ones((3, 20, 30, 1))], -1), tf.float32)
    drop_alpha, crops, noise = param.maco_transforms(size=16, box_size=(0.3, 0.5), noise=0.0)
    out = sess.run(noise(crops(drop_alpha(image))))
    assert out.shape == (3, 16, 16, 3)
    np.testing.assert_allclose(out, 0.3, atol=1e-6)
    ramp = np.tile(np.linspace(0, 1, 32)[None, None, :, None], (2, 32, 1, 3)).astype(np.float32)
    cropped = crops(tf.constant(ramp))
    a, b = sess.run(cropped), sess.run(cropped)
    assert not np.allclose(a, b)  # new crops on every run
    assert sess.run(param.maco_transforms(noise=0.1)[2](tf.zeros([1, 64, 64, 3]))).std() == pytest.approx(0.1, rel=0.1)
    with pytest.raises(ValueError, match="box_size"):
        param.maco_transforms(box_size=(0.5, 0.2))


def test_render_vis_with_maco_raises_the_objective_and_returns_alpha():
    model = TinyConvNet()
    obj = objectives.channel("conv2_pre_relu", 3, batch=0) + objectives.channel("conv2_pre_relu", 5, batch=1)
    spectrum = maco_module.load_spectrum()
    # Crops of nearly the whole image, so the whole image is what the objective was raised on.
    first, last = render.render_vis(
        model,
        obj,
        param_f=lambda: param.maco(32, batch=2, spectrum=spectrum, alpha=True),
        transforms=param.maco_transforms(32, box_size=(0.9, 1.0), noise=0.02),
        optimizer=tf.compat.v1.train.AdamOptimizer(0.2),
        thresholds=(0, 40),
        verbose=False,
    )
    assert last.shape == (2, 32, 32, 4)
    alpha = last[..., 3]
    assert alpha.min() >= 0 and alpha.max() == 1 and alpha.mean() > 0.05
    before = layer_values(model, "conv2_pre_relu", first[..., :3])
    after = layer_values(model, "conv2_pre_relu", last[..., :3])
    assert after[0, ..., 3].mean() > before[0, ..., 3].mean()
    assert after[1, ..., 5].mean() > before[1, ..., 5].mean()


def test_alpha_is_the_normalized_accumulated_gradient(sess):
    t = param.maco(8, batch=1, spectrum=np.full((3, 8, 5), 0.01, np.float32), alpha=True)
    weights = np.random.uniform(-0.1, 0.1, (1, 8, 8, 3)).astype(np.float32)
    weights[0, 2, 3] = [1, -2, 0.5]
    weights[0, 5, 5, 0] = 3.0
    train = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(-tf.reduce_sum(t[..., :3] * weights))
    sess.run(tf.compat.v1.global_variables_initializer())
    sess.run(train)
    alpha = sess.run(t[..., 3])[0]
    gradient = np.abs(weights[0]).sum(-1)
    level = max(np.sort(gradient.ravel())[int(0.98 * 63)], 0.1 * gradient.max())
    np.testing.assert_allclose(alpha, np.clip(gradient / level, 0, 1), rtol=1e-5)
    assert 0 < alpha.min() and alpha.max() == 1
    # Sparse gradients: normalized by a tenth of the maximum, not by a zero quantile.
    sparse = np.zeros((8, 8), np.float32)
    sparse[1, 1], sparse[2, 2] = 10, 0.5
    np.testing.assert_allclose(
        sess.run(maco_module._alpha_from(tf.constant(sparse[None, ..., None])))[0, ..., 0], np.clip(sparse, 0, 1)
    )
    rgb_only = param.maco(8, spectrum=np.full((3, 8, 5), 0.01, np.float32), alpha=False)
    assert rgb_only.shape.as_list() == [1, 8, 8, 3]


def test_estimate_spectrum_finds_the_frequency_of_a_grating(tmp_path):
    size = 16
    y, x = np.mgrid[:32, :32]
    grating = 0.5 + 0.4 * np.sin(2 * np.pi * x / 4.0)  # 0.25 cycles per pixel along x
    image = np.stack([grating] * 3, -1)
    # scales=(2,): short side 2 * size = 32, the image's own size, so it is cropped but not resized.
    spectrum = maco_module.estimate_spectrum(image[None], size=size, crops_per_image=2, scales=(2.0,))
    assert spectrum.shape == (3, size, size // 2 + 1)
    luminance = spectrum[0].copy()
    luminance[0, 0] = 0
    # The grating and its transpose (crops are also taken transposed): peaks at fx = 0.25 and fy = 0.25.
    peaks = {np.unravel_index(i, luminance.shape) for i in np.argsort(luminance.ravel())[-2:]}
    assert peaks == {(0, 4), (4, 0)}
    PIL.Image.fromarray((image * 255).astype(np.uint8)).save(tmp_path / "grating.png")
    from_folder = maco_module.estimate_spectrum(str(tmp_path), size=size, crops_per_image=2, scales=(2.0,))
    np.testing.assert_allclose(from_folder, spectrum, rtol=0.05, atol=1e-3)


def test_estimate_spectrum_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        maco_module.estimate_spectrum(np.full((1, 32, 32, 3), 255.0), size=16)
    with pytest.raises(FileNotFoundError, match="no image files"):
        maco_module.estimate_spectrum(str(tmp_path), size=16)
    with pytest.raises(ValueError, match="colour images"):
        maco_module.estimate_spectrum([np.zeros((32, 32))], size=16)

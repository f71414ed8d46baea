"""lucid.misc.stimuli: the original Lucid's images, pixel for pixel (expected values measured on the original)."""

import numpy as np
import pytest

from lucid.misc import stimuli

T = 1 / 3  # a third of the samples; the original averages float32 samples, so 0.3333333433


def test_energy_function_random_antialiasing_and_y_down():
    np.random.seed(0)
    image = stimuli.sample_binary_image(6, alias_factor=3)(lambda X, Y: X**2 + Y**2 - 2.1**2)
    assert image.shape == (6, 6, 3) and image.dtype == np.float64
    expected = [
        [1, 1, 1, 1, 1, 1],
        [1, 1, 2 * T, 0, T, 1],
        [1, 1, 0, 0, 0, 1],
        [1, 0, 0, 0, 0, T],
        [1, 1, 0, 0, 0, 1],
        [1, 1, 1, 2 * T, 1, 1],
    ]
    np.testing.assert_allclose(image[..., 0], expected, atol=1e-7)
    np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_the_samples_draw_from_np_random_when_the_decorator_is_made():
    np.random.seed(0)
    stimuli.sample_binary_image(6, alias_factor=3)
    after = np.random.uniform()
    np.random.seed(0)
    np.random.uniform(-0.5, 0.5, size=6)
    assert after == np.random.uniform()


def test_boundary_line_is_colour_b_on_colour_a():
    np.random.seed(0)
    draw = stimuli.sample_binary_image(7, alias_factor=2, boundary_line=True, color_a=(1, 0, 0), color_b=(0, 0, 1))
    image = draw(lambda X, Y: X - 0.5 + 0 * Y)
    np.testing.assert_array_equal(image[..., 0], [[1, 1, 1, 0, 0, 1, 1]] * 7)
    np.testing.assert_array_equal(image[..., 2], [[0, 0, 0, 1, 1, 0, 0]] * 7)


def test_fade_beyond_a_radius():
    np.random.seed(0)
    image = stimuli.sample_binary_image(6, alias_factor=1, fade_beyond_radius=1, fade_over_distance=2)(
        lambda X, Y: Y + 0 * X
    )
    np.testing.assert_allclose(image[1, :, 1], [0.5, 0.4571067812, 0.3090169944, 0.25, 0.3090169944, 0.4571067812])
    np.testing.assert_allclose(image[2, :, 1], [0.5, 0.3090169944, 0.1035533906, 0, 0.1035533906, 0.3090169944])
    np.testing.assert_allclose(image[3, :, 1], [0.5, 0.75, 1, 1, 1, 0.75])


def test_rmin_rounds_with_the_originals_formula():
    assert stimuli.rmin(3.0, 4.0, 10.0) == pytest.approx(0.5533679898329424)
    assert stimuli.rmin(-2.0, 5.0, 3.0) == -2.0
    assert stimuli.rmin(0.0, 0.0, 2.0) == pytest.approx(-0.5857864376269051)


def test_rounded_corner_turns_as_the_original():
    np.random.seed(1)
    image = stimuli.rounded_corner(30, 3, size=10, alias_factor=2)
    expected = np.zeros((10, 10))
    expected[3, 9] = expected[4, 6] = expected[5:8, 5] = 0.5
    expected[4, 7:] = expected[5:, 6:] = 1
    np.testing.assert_array_equal(image[..., 0], expected)

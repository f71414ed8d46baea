"""lucid.misc.stimuli: antialiased two-region images and rounded corners."""

import numpy as np
import pytest

from lucid.misc import stimuli


def test_disc_is_antialiased_and_coloured():
    @stimuli.sample_binary_image(32, color_a=(1, 0, 0), color_b=(0, 0, 1))
    def disc(X, Y):
        return X**2 + Y**2 < 10**2

    assert disc.shape == (32, 32, 3) and disc.dtype == np.float32
    np.testing.assert_allclose(disc[16, 16], [1, 0, 0])
    np.testing.assert_allclose(disc[0, 0], [0, 0, 1])
    # Red covers about the disc's area; pixels on the rim are mixtures.
    assert abs(disc[..., 0].sum() - np.pi * 100) < 3
    assert ((disc[..., 0] > 0.05) & (disc[..., 0] < 0.95)).sum() > 20


def test_y_points_up_and_boundary_line_draws_only_the_edge():
    upper = stimuli.sample_binary_image(20)(lambda X, Y: Y > 0)
    assert upper[0, 10, 0] == 1 and upper[-1, 10, 0] == 0
    line = stimuli.sample_binary_image(20, boundary_line=True, boundary_width=2)(lambda X, Y: Y > 0)
    assert line[0, 10, 0] == 0 and line[-1, 10, 0] == 0 and line[9:11, 10, 0].min() > 0.9


def test_fade_and_blur_beyond_a_radius():
    image = stimuli.sample_binary_image(64, fade_beyond_radius=10, fade_over_distance=5)(lambda X, Y: X > 0)
    np.testing.assert_allclose(image[0, 0], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(image[32, 40], [1, 1, 1])
    sharp = stimuli.sample_binary_image(64)(lambda X, Y: X > 0)
    blurred = stimuli.sample_binary_image(64, blur_beyond_radius=10)(lambda X, Y: X > 0)
    np.testing.assert_array_equal(blurred[30:34, 30:34], sharp[30:34, 30:34])
    assert 0.05 < blurred[2, 31, 0] < 0.95 and blurred[2, 31, 0] != sharp[2, 31, 0]


def test_rmin_rounds_the_corner():
    assert stimuli.rmin(5, 30, 10) == 5 and stimuli.rmin(30, 30, 10) == 30
    assert stimuli.rmin(10 - np.sqrt(50), 10 - np.sqrt(50), 10) == pytest.approx(0)


@pytest.mark.parametrize("orientation", [0, 90, 225])
def test_rounded_corner_opens_towards_its_orientation(orientation):
    image = stimuli.rounded_corner(orientation, r=8, size=64)
    angle = np.radians(orientation)
    inside = (32 - int(20 * np.sin(angle)), 32 + int(20 * np.cos(angle)))
    outside = (32 + int(20 * np.sin(angle)), 32 - int(20 * np.cos(angle)))
    assert image[inside][0] == 1 and image[outside][0] == 0
    assert image[32, 32, 0] == 0  # the rounding cuts the vertex off
    assert stimuli.rounded_corner(orientation, r=0.01, size=64)[31:33, 31:33, 0].max() > 0.2


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="angular_width"):
        stimuli.rounded_corner(0, 5, angular_width=200)
    with pytest.raises(ValueError, match="positive integers"):
        stimuli.sample_binary_image(0)

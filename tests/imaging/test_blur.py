import numpy as np
import pytest

from restora.imaging.blur import (
    blur_image,
    degrade,
    linear_kernel,
    random_kernel,
    trajectory_kernels,
)


def centre_of_mass(kernel: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(kernel.shape)
    return float((rows * kernel).sum()), float((cols * kernel).sum())


@pytest.mark.parametrize("length,angle", [(0.0, 0), (0.4, 10), (5.5, 0), (12.25, 33), (30, 90), (17, 135)])
def test_linear_kernel_sums_to_one_is_odd_and_centred(length, angle):
    k = linear_kernel(length, angle)
    assert k.dtype == np.float32 and k.ndim == 2
    assert k.shape[0] % 2 == 1 and k.shape[0] == k.shape[1]
    assert k.sum() == pytest.approx(1.0, abs=1e-5)
    assert (k >= 0).all()
    cy, cx = centre_of_mass(k)
    assert cy == pytest.approx(k.shape[0] // 2, abs=1e-3) and cx == pytest.approx(k.shape[1] // 2, abs=1e-3)


def test_linear_kernel_extent_follows_length_and_angle():
    horizontal = linear_kernel(10, 0)
    rows_used = np.nonzero(horizontal.sum(axis=1) > 1e-4)[0]
    cols_used = np.nonzero(horizontal.sum(axis=0) > 1e-4)[0]
    assert len(rows_used) == 1 and 10 <= len(cols_used) <= 12
    vertical = linear_kernel(10, 90)
    np.testing.assert_allclose(vertical, horizontal.T, atol=1e-6)
    # a sub-pixel change of length changes the kernel (anti-aliased ends)
    short, longer = linear_kernel(7.0, 0), linear_kernel(7.4, 0)
    assert short.shape == longer.shape and not np.allclose(short, longer)


def test_trajectory_kernels_are_cumulative_centred_and_seeded():
    kernels = trajectory_kernels(np.random.default_rng(3), expl=0.005)
    assert len(kernels) == 3
    for k in kernels:
        assert k.dtype == np.float32 and k.shape[0] % 2 == 1 and k.shape[0] == k.shape[1]
        assert k.sum() == pytest.approx(1.0, abs=1e-5)
        cy, cx = centre_of_mass(k)
        assert abs(cy - k.shape[0] // 2) <= 0.5 and abs(cx - k.shape[1] // 2) <= 0.5
    # a longer exposure covers more of the path
    supports = [int((k > 0).sum()) for k in kernels]
    assert supports[0] < supports[1] < supports[2]
    again = trajectory_kernels(np.random.default_rng(3), expl=0.005)
    for a, b in zip(kernels, again):
        np.testing.assert_array_equal(a, b)
    other = trajectory_kernels(np.random.default_rng(4), expl=0.005)
    assert any(a.shape != b.shape or not np.allclose(a, b) for a, b in zip(kernels, other))


def test_trajectory_fits_the_canvas_even_for_the_largest_anxiety():
    for seed in range(20):
        for k in trajectory_kernels(np.random.default_rng(seed), expl=0.01):
            assert k.shape[0] <= 2 * 64 + 1


@pytest.mark.parametrize("kind", ["linear", "trajectory", "mixed", "mixed-light"])
def test_random_kernel_kinds(kind):
    rng = np.random.default_rng(0)
    for _ in range(5):
        k = random_kernel(rng, kind)
        assert k.sum() == pytest.approx(1.0, abs=1e-5) and k.shape[0] % 2 == 1
    a = random_kernel(np.random.default_rng(11), kind)
    b = random_kernel(np.random.default_rng(11), kind)
    np.testing.assert_array_equal(a, b)


def test_mixed_light_adds_a_share_of_light_or_no_blur():
    from restora.imaging.blur import LIGHT_BLUR_PROB

    def small_share(kind: str) -> tuple[float, list[np.ndarray]]:
        rng = np.random.default_rng(4)
        kernels = [random_kernel(rng, kind) for _ in range(600)]
        small = [k for k in kernels if k.shape[0] <= 7]  # a 0–4 px line fits in 7×7
        return len(small) / len(kernels), small

    # short trajectories at 1/10 exposure are small too; the light lines come on top of them
    mixed, _ = small_share("mixed")
    light, kernels = small_share("mixed-light")
    assert light == pytest.approx(LIGHT_BLUR_PROB + (1 - LIGHT_BLUR_PROB) * mixed, abs=0.05)
    assert any(k.max() > 0.99 for k in kernels)  # (almost) no blur at all is among them
    assert all(k.sum() == pytest.approx(1.0, abs=1e-5) for k in kernels)


def test_command_lines_offer_every_kernel_kind():
    from click.testing import CliRunner

    from restora.cli import main
    from restora.imaging.blur import KERNEL_KINDS

    for command in (["train", "deblur", "--help"], ["data", "blur-pairs", "--help"]):
        assert "|".join(KERNEL_KINDS) in CliRunner().invoke(main, command).output.replace("\n", "")


def test_random_kernel_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        random_kernel(np.random.default_rng(0), "gaussian")


@pytest.mark.parametrize("shape", [(40, 90, 3), (90, 40, 3), (33, 47), (5, 7, 3)])
def test_blur_keeps_shape_range_and_brightness_on_any_aspect(shape):
    rng = np.random.default_rng(1)
    image = rng.uniform(size=shape).astype(np.float32)
    kernel = linear_kernel(15, 30)
    out = blur_image(image, kernel)
    assert out.shape == image.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    if min(shape[:2]) > kernel.shape[0]:  # on a tiny image the mirrored border dominates the mean
        assert out.mean() == pytest.approx(image.mean(), abs=0.02)
    assert out.std() < image.std()  # blur averages noise away


def test_blur_of_a_flat_image_is_flat_and_identity_kernel_is_identity():
    flat = np.full((30, 50, 3), 0.4, np.float32)
    np.testing.assert_allclose(blur_image(flat, trajectory_kernels(np.random.default_rng(0))[2]), 0.4, atol=1e-5)
    image = np.random.default_rng(2).uniform(size=(20, 30, 3)).astype(np.float32)
    np.testing.assert_allclose(blur_image(image, np.ones((1, 1), np.float32)), image, atol=1e-5)


def test_blur_moves_a_point_along_the_kernel_not_off_centre():
    image = np.zeros((41, 41), np.float32)
    image[20, 20] = 1.0
    kernel = linear_kernel(9, 0)
    out = blur_image(image, kernel)
    cy, cx = centre_of_mass(out / out.sum())
    assert (cy, cx) == (pytest.approx(20, abs=1e-3), pytest.approx(20, abs=1e-3))
    assert np.count_nonzero(out[20] > 1e-4) >= 9 and np.count_nonzero(out[:, 20] > 1e-4) == 1


def test_faithful_mode_stretches_to_full_range():
    image = np.random.default_rng(5).uniform(0.3, 0.6, size=(64, 64, 3)).astype(np.float32)
    out = blur_image(image, linear_kernel(9, 45), mode="faithful")
    assert out.shape == image.shape
    assert out.min() == pytest.approx(0.0, abs=1e-6) and out.max() == pytest.approx(1.0, abs=1e-6)
    identity = blur_image(image, np.ones((1, 1), np.float32), mode="faithful")
    np.testing.assert_allclose(identity, (image - image.min()) / (image.max() - image.min()), atol=1e-5)
    with pytest.raises(ValueError, match="mode"):
        blur_image(image, linear_kernel(3, 0), mode="wrap")


def test_degrade_adds_noise_and_jpeg_reproducibly():
    image = np.full((32, 48, 3), 0.5, np.float32)
    assert degrade(image, np.random.default_rng(0)) is not None
    np.testing.assert_array_equal(degrade(image, np.random.default_rng(0)), image)
    noisy = degrade(image, np.random.default_rng(0), noise_sigma=0.05)
    assert 0.03 < float(noisy.std()) < 0.07 and noisy.min() >= 0 and noisy.max() <= 1
    np.testing.assert_array_equal(noisy, degrade(image, np.random.default_rng(0), noise_sigma=0.05))
    jpeg = degrade(noisy, np.random.default_rng(0), jpeg_quality=30)
    assert jpeg.shape == image.shape and jpeg.dtype == np.float32
    assert not np.array_equal(jpeg, noisy)
    grey = degrade(image[:, :, 0], np.random.default_rng(0), jpeg_quality=80)
    assert grey.shape == (32, 48)

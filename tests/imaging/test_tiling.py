import numpy as np
import pytest
from scipy.ndimage import uniform_filter

from restora.imaging.tiling import apply_tiled, count_tiles, tile_starts


@pytest.mark.parametrize("length, tile, overlap, align", [(1000, 256, 32, 4), (257, 256, 32, 1), (4000, 1024, 96, 4)])
def test_tiles_cover_the_image_with_at_least_the_overlap(length, tile, overlap, align):
    starts = tile_starts(length, tile, overlap, align)
    assert starts[0] == 0 and starts[-1] + tile == length
    assert all(s % align == 0 for s in starts)
    gaps = np.diff(starts)
    assert (tile - gaps >= overlap - (align - 1)).all()


def test_identity_is_exact_through_many_tiles():
    rng = np.random.default_rng(1)
    image = rng.random((203, 517, 3), dtype=np.float32)
    seen = []
    out = apply_tiled(image, lambda t: t.copy(), tile=64, overlap=16, progress=seen.append)
    np.testing.assert_allclose(out, image, rtol=0, atol=1e-6)
    assert len(seen) == count_tiles(203, 517, 64, 16) > 20
    assert seen[-1] == pytest.approx(1.0) and seen == sorted(seen)


def test_small_image_is_passed_whole():
    image = np.zeros((40, 50, 3), np.float32)
    calls = []
    apply_tiled(image, lambda t: calls.append(t.shape) or t, tile=64, overlap=8)
    assert calls == [(40, 50, 3)]


def test_a_local_filter_matches_the_untiled_result():
    # A 5x5 box filter sees 2 px of context. The outer quarter of a 32-px overlap (8 px) has a tiny
    # weight, so wherever a tile lacks context its neighbour decides and the seams vanish.
    rng = np.random.default_rng(2)
    image = rng.random((300, 300), dtype=np.float32)[..., None]
    box = lambda t: uniform_filter(t, size=(5, 5, 1), mode="reflect")  # noqa: E731
    tiled = apply_tiled(image, box, tile=100, overlap=32)
    assert np.abs(tiled - box(image)).max() < 1e-3


def test_a_function_that_changes_the_shape_is_an_error():
    with pytest.raises(ValueError, match="shape"):
        apply_tiled(np.zeros((100, 100, 3), np.float32), lambda t: t[1:], tile=64, overlap=8)

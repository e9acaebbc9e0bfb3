"""Colour hints (Levin et al. 2004): kept where painted, spread within regions, stopped by edges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.sparse.linalg import spsolve

from restora.imaging.colour import luma, rgb_to_yuv, to_uint8
from restora.imaging.hints import (
    HintConfig,
    apply_hints,
    compose_rgb,
    hint_chroma,
    propagate,
    screened_laplacian,
    screening_for,
)

GOLDEN = Path(__file__).parent / "golden"
RESULTS = Path(__file__).resolve().parents[1] / "results"
# In-gamut colours at the test image's luminances: (R, G, B)
RED, BLUE, GREEN = (200, 40, 40), (40, 60, 200), (50, 170, 60)


def three_regions(height: int = 60, width: int = 90, seed: int = 0) -> np.ndarray:
    """H×W luminance: three vertical bands (0.3, 0.5, 0.7) with mild texture, split by sharp edges."""
    rng = np.random.default_rng(seed)
    y = np.full((height, width), 0.3, dtype=np.float32)
    y[:, width // 3 :] = 0.5
    y[:, 2 * width // 3 :] = 0.7
    return np.clip(y + rng.normal(0, 0.01, y.shape).astype(np.float32), 0, 1)


def hint_uv(rgb: tuple[int, int, int]) -> np.ndarray:
    return rgb_to_yuv(np.array([[rgb]], dtype=np.uint8))[0, 0, 1:]


def stroke_hints(shape: tuple[int, int], strokes: list[tuple[int, tuple[int, int, int]]]) -> np.ndarray:
    """RGBA hints: a vertical stroke (3 px wide, middle half of the height) at each column, in its colour."""
    hints = np.zeros(shape + (4,), dtype=np.uint8)
    height = shape[0]
    for column, colour in strokes:
        hints[height // 4 : 3 * height // 4, column - 1 : column + 2] = (*colour, 255)
    return hints


def test_hint_chroma_reads_alpha_as_the_wish():
    hints = np.zeros((2, 3, 4), np.uint8)
    hints[0, 1] = (*RED, 1)
    mask, uv = hint_chroma(hints)
    assert mask.tolist() == [[False, True, False], [False, False, False]]
    np.testing.assert_allclose(uv, [hint_uv(RED)], atol=1e-6)
    with pytest.raises(ValueError, match="RGBA"):
        hint_chroma(hints[..., :3])


def test_laplacian_is_symmetric_with_zero_row_sums():
    y = three_regions(12, 17)
    matrix = screened_laplacian(y, 0.0)
    assert abs(matrix - matrix.T).max() < 1e-12
    np.testing.assert_allclose(matrix @ np.ones(y.size), 0.0, atol=1e-12)
    assert matrix.nnz <= 9 * y.size
    # across a sharp edge (between columns 4 and 5) the affinity is far weaker than within a region
    dense = -matrix.toarray()
    within = np.mean([dense[r * 17 + 1, r * 17 + 2] for r in range(12)])
    across = np.mean([dense[r * 17 + 4, r * 17 + 5] for r in range(12)])
    assert within > 100 * across


def test_multigrid_solve_matches_a_direct_sparse_solve():
    y = three_regions(30, 45, seed=1)
    rng = np.random.default_rng(2)
    mask = rng.random(y.shape) < 0.03
    values = rng.uniform(-0.2, 0.2, y.shape + (2,)).astype(np.float32)
    screening = screening_for(y.shape, 0.5)
    solved = propagate(y, mask, values, screening=screening, tolerance=1e-10)
    matrix = screened_laplacian(y, screening)
    fixed, free = mask.ravel(), ~mask.ravel()
    for channel in range(2):
        known = values[..., channel].ravel()[fixed]
        direct = spsolve(matrix[free][:, free].tocsc(), -(matrix[free][:, fixed] @ known))
        np.testing.assert_allclose(solved[..., channel].ravel()[free], direct, atol=1e-6)


def test_hints_are_reproduced_where_given():
    y = three_regions()
    rng = np.random.default_rng(4)
    hints = np.zeros(y.shape + (4,), np.uint8)
    chosen = rng.random(y.shape) < 0.05
    hints[chosen] = np.concatenate([rng.integers(30, 220, (chosen.sum(), 3)), np.full((chosen.sum(), 1), 255)], 1)
    base = rng.uniform(-0.1, 0.1, y.shape + (2,)).astype(np.float32)
    uv = apply_hints(y, base, hints)
    np.testing.assert_allclose(uv[chosen], hint_chroma(hints)[1], atol=1e-6)


@pytest.mark.parametrize("solve_pixels", [1_000_000, 2_700])  # at full size, and solved at half + upsampled
def test_hints_on_every_region_give_those_colours(solve_pixels):
    y = three_regions()
    # the net's colours: something else everywhere
    base = np.broadcast_to(hint_uv(GREEN), y.shape + (2,)).astype(np.float32)
    hints = stroke_hints(y.shape, [(15, RED), (45, BLUE), (75, GREEN)])
    uv = apply_hints(y, base, hints, HintConfig(solve_pixels=solve_pixels))
    for columns, colour in ((slice(2, 28), RED), (slice(32, 58), BLUE), (slice(62, 88), GREEN)):
        error = np.abs(uv[:, columns] - hint_uv(colour))
        # U,V units (the hint colours are 0.2-0.4 from grey); the largest errors sit beside the edges,
        # where the neighbouring region's hint leaks a little across
        assert error.mean() < 0.01 and error.max() < 0.05, (colour, error.mean(), error.max())


def test_a_single_hint_stays_in_its_region_and_the_base_stands_elsewhere():
    y = three_regions()
    base = np.zeros(y.shape + (2,), np.float32)
    uv = apply_hints(y, base, stroke_hints(y.shape, [(15, RED)]))
    assert np.abs(uv[:, 2:28] - hint_uv(RED)).max() < 0.01
    # beyond the sharp edges the hint has mostly faded (without the screening it would be everywhere)
    beyond = np.abs(uv[:, 35:]).max(axis=2) / np.abs(hint_uv(RED)).max()
    assert beyond.max() < 0.15 and beyond.mean() < 0.05


def test_no_hints_leave_the_base_and_hints_of_another_size_are_refused():
    y = three_regions()
    base = np.random.default_rng(5).uniform(-0.1, 0.1, y.shape + (2,)).astype(np.float32)
    np.testing.assert_array_equal(apply_hints(y, base, np.zeros(y.shape + (4,), np.uint8)), base)
    with pytest.raises(ValueError, match="60 px"):
        apply_hints(y, base, np.zeros((61, 90, 4), np.uint8))


def test_compose_keeps_luminance_exactly_and_stays_in_gamut():
    rng = np.random.default_rng(6)
    y = rng.uniform(0, 1, (50, 50)).astype(np.float32)
    uv = rng.uniform(-0.6, 0.6, (50, 50, 2)).astype(np.float32)  # much of it far out of gamut
    rgb = compose_rgb(y, uv)
    assert rgb.min() >= 0 and rgb.max() <= 1
    np.testing.assert_allclose(luma(rgb), y, atol=2e-6)
    in_gamut = np.full_like(uv, 0.01)
    np.testing.assert_allclose(rgb_to_yuv(compose_rgb(np.full_like(y, 0.5), in_gamut))[..., 1:], in_gamut, atol=1e-6)


def golden_case(solve_pixels: int) -> np.ndarray:
    """A small fixed photo-like image with strokes of three colours, hinted over a zero base."""
    y = three_regions(48, 72, seed=9)
    rows, cols = np.mgrid[:48, :72]
    y = np.where((rows - 30) ** 2 + (cols - 50) ** 2 < 120, 0.9, y).astype(np.float32)  # a bright disc
    hints = stroke_hints(y.shape, [(10, RED), (36, BLUE)])
    hints[28:33, 48:53] = (*GREEN, 255)  # a dab on the disc
    uv = apply_hints(y, np.zeros(y.shape + (2,), np.float32), hints, HintConfig(solve_pixels=solve_pixels))
    return to_uint8(compose_rgb(y, uv))


@pytest.mark.parametrize("solve_pixels", [100_000, 900])
def test_golden_image(solve_pixels):
    golden = GOLDEN / f"hints_{solve_pixels}.png"
    actual = golden_case(solve_pixels)
    if not golden.exists():  # a first run writes it: review it, then commit it
        golden.parent.mkdir(exist_ok=True)
        Image.fromarray(actual).save(golden)
        pytest.fail(f"wrote {golden}; review and commit it")
    expected = np.asarray(Image.open(golden).convert("RGB"))
    difference = np.abs(actual.astype(int) - expected.astype(int))
    if difference.max() > 2:  # a level or two from solver tolerance and rounding
        RESULTS.mkdir(exist_ok=True)
        Image.fromarray(np.hstack([expected, actual])).save(RESULTS / f"hints_{solve_pixels}_expected_actual.png")
    assert difference.max() <= 2


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (6, 1), (2, 2), (7, 2), (2, 7)])
def test_tiny_and_narrow_photos(shape):
    y = np.random.default_rng(3).random(shape).astype(np.float32)
    matrix = screened_laplacian(y, 0.0)  # two neighbour offsets coincide on a 2-px-wide photo
    assert abs(matrix - matrix.T).max() < 1e-12
    np.testing.assert_allclose(matrix @ np.ones(y.size), 0.0, atol=1e-12)
    hints = np.zeros(shape + (4,), np.uint8)
    hints[0, 0] = (*RED, 255)
    uv = apply_hints(y, np.zeros(shape + (2,), np.float32), hints)
    np.testing.assert_allclose(uv[0, 0], hint_uv(RED), atol=1e-6)

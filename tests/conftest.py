"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared corpus sits beside the checkout (../shared), not in it: a plain clone has none. Tests that need
# it are marked ``@pytest.mark.corpus``; without it they are not run, and the run's summary says so.
SHARED_DIR = REPO_ROOT.parent / "shared"
PILLOW_CORPUS = SHARED_DIR / "corpus" / "pillow-test-images"

_corpus_not_run: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"corpus: needs the shared corpus at {PILLOW_CORPUS} (not run without it; the summary says so)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PILLOW_CORPUS.is_dir() and any(PILLOW_CORPUS.iterdir()):
        return
    for item in items:
        if item.get_closest_marker("corpus") is not None:
            item.add_marker(pytest.mark.skip(reason=f"the shared corpus is not at {PILLOW_CORPUS}"))
            _corpus_not_run.append(item.nodeid)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _corpus_not_run:
        terminalreporter.write_line(
            f"corpus tests not run: {len(_corpus_not_run)} need the shared corpus at {PILLOW_CORPUS}, which is "
            f"absent (a plain clone has no ../shared): {', '.join(_corpus_not_run)}",
            yellow=True,
        )


@pytest.fixture
def photo_rgb() -> Image.Image:
    """A small asymmetric RGB picture: every rotation and flip of it is distinguishable."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(24, 40, 3), dtype=np.uint8)
    pixels[:6, :10] = (255, 0, 0)  # a red corner marks the top-left
    return Image.fromarray(pixels, "RGB")


@pytest.fixture
def photo_rgba(photo_rgb: Image.Image) -> Image.Image:
    alpha = np.tile(np.linspace(0, 255, photo_rgb.width, dtype=np.uint8), (photo_rgb.height, 1))
    image = photo_rgb.convert("RGBA")
    image.putalpha(Image.fromarray(alpha, "L"))
    return image


@pytest.fixture(scope="module")
def example_tool(tmp_path_factory):
    """The example third-party tool package (tests/example_tool) pip-installed into a folder on sys.path
    and found by the registry through its entry point; removed again afterwards."""
    import subprocess
    import sys

    from restora.tools import TOOLS, load_entry_points, unregister

    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(REPO_ROOT / "tests" / "example_tool")], check=True)
    sys.path.insert(0, str(target))
    try:
        assert load_entry_points() == ["posterize"]
        yield TOOLS["posterize"]
    finally:
        unregister("posterize")
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("restora_example_tool")]:
            del sys.modules[name]

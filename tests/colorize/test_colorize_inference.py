"""predict_chroma and build_generator: sizes, render shapes, a safetensors round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig
from restora.tools.colorize.inference import architecture_of, build_generator, predict_chroma, render_shape
from restora.weights import read_safetensors, save_safetensors

SMALL = ColorizeNetConfig(widths=(8, 8, 8, 8, 8), blocks=(1, 1, 1, 1, 1), decoder=(8, 8, 8, 8))


def test_render_shape_keeps_the_aspect_in_multiples_of_32() -> None:
    assert render_shape(1000, 1000, 256, 32) == (256, 256)
    assert render_shape(750, 1000, 256, 32) == (192, 256)
    assert render_shape(1000, 40, 256, 32) == (256, 32)  # never below one multiple


@pytest.mark.parametrize("size", [(37, 53), (300, 200), (64, 64)])
def test_predict_chroma_gives_uv_at_the_photo_size(size: tuple[int, int]) -> None:
    torch.manual_seed(0)
    net = ColorizeGenerator(SMALL).eval()
    y = np.random.default_rng(0).random(size, dtype=np.float32)
    uv = predict_chroma(y, net, render_size=64)
    assert uv.shape == (*size, 2) and uv.dtype == np.float32
    assert np.isfinite(uv).all()
    with pytest.raises(ValueError, match="H×W"):
        predict_chroma(np.zeros((*size, 3), np.float32), net, 64)


def test_build_generator_loads_saved_weights_strictly(tmp_path: Path) -> None:
    torch.manual_seed(3)
    net = ColorizeGenerator(SMALL)
    with torch.no_grad():  # leave the init: make the BN statistics and the attention non-trivial
        for name, buffer in net.named_buffers():
            if name.endswith("running_var"):
                buffer.uniform_(0.5, 2.0)
        net.decoder[1].attention.gamma.fill_(0.3)
    net.eval()
    path = tmp_path / "colorize-test.safetensors"
    save_safetensors(net.state_dict(), architecture_of(SMALL), path, "colorize")
    loaded = build_generator(read_safetensors(path))
    assert loaded.config == SMALL and not loaded.training
    y = np.random.default_rng(1).random((80, 120), dtype=np.float32)
    np.testing.assert_allclose(predict_chroma(y, loaded, 64), predict_chroma(y, net, 64), atol=1e-5)
    wrong = read_safetensors(path, architecture={**architecture_of(SMALL), "decoder": [16, 8, 8, 8]})
    with pytest.raises(RuntimeError):
        build_generator(wrong)

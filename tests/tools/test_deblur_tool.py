"""The deblur tool end to end with small deterministic nets, and its command line."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from skimage import data

from restora.cli import main
from restora.nets.deblur import DeblurGenerator, GeneratorConfig
from restora.tools import TOOLS
from restora.tools.base import InvalidParams
from restora.config import load_settings
from restora.tools.base import NETS
from restora.tools.deblur import generator_for, run_generator, uses_bfloat16
from restora.weights import save_safetensors

GOLDEN = Path(__file__).parent / "golden" / "deblur_tiny_seed1234.png"
RESULTS = Path(__file__).resolve().parents[1] / "results"
TINY = {"ngf": 8, "n_blocks": 2, "norm": "instance", "dropout": 0.5, "learn_residual": True}


def tiny_weights(path: Path, architecture: dict = TINY, seed: int = 1234) -> Path:
    """A small generator with seeded default initialisation, saved as Restora ships weights."""
    torch.manual_seed(seed)
    net = DeblurGenerator(GeneratorConfig(**architecture))
    save_safetensors(net.state_dict(), architecture, path, tool="deblur")
    return path


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(tmp_path / "models"))
    # float32: the golden image is the same on every CPU; bfloat16 has its own test below
    monkeypatch.setenv("RESTORA_INFERENCE_PRECISION", "float32")
    NETS.clear()
    yield
    NETS.clear()


@pytest.fixture
def weights(tmp_path) -> str:
    return str(tiny_weights(tmp_path / "tiny.safetensors"))


def golden_input() -> Image.Image:
    # 150×203: not a multiple of 4, larger than the 128-px tile, so padding and blending both run.
    return Image.fromarray(data.chelsea()[60:210, 100:303])


def test_golden_image(weights):
    result = TOOLS["deblur"].run(golden_input(), weights=weights, tile=128, method="net")
    actual = np.asarray(result).astype(int)
    if not GOLDEN.exists():  # first run on a new layout: write it, then review and commit it
        GOLDEN.parent.mkdir(exist_ok=True)
        result.save(GOLDEN)
        pytest.fail(f"wrote a new golden image {GOLDEN}; check it and run again")
    with Image.open(GOLDEN) as golden:
        expected = np.asarray(golden).astype(int)
    difference = np.abs(actual - expected) if actual.shape == expected.shape else None
    # Float differences between CPUs may move a few pixels by a level; anything more is a change.
    if difference is None or difference.max() > 2 or difference.mean() > 0.05:
        RESULTS.mkdir(exist_ok=True)
        result.save(RESULTS / "deblur_golden_actual.png")
        Image.fromarray(expected.astype(np.uint8)).save(RESULTS / "deblur_golden_expected.png")
        pytest.fail(f"deblur output differs from {GOLDEN.name}; the pair is in {RESULTS}")


def test_size_alpha_and_determinism(weights):
    rgba = golden_input().convert("RGBA").crop((0, 0, 37, 23))
    alpha = np.tile(np.arange(37, dtype=np.uint8) * 6, (23, 1))
    rgba.putalpha(Image.fromarray(alpha, "L"))
    first = TOOLS["deblur"].run(rgba, weights=weights, method="net")
    second = TOOLS["deblur"].run(rgba, weights=weights, method="net")
    assert first.size == (37, 23) and first.mode == "RGBA"
    assert np.array_equal(np.asarray(first)[..., 3], alpha)
    assert np.array_equal(np.asarray(first), np.asarray(second))  # dropout is off


def test_tiny_and_grey_images(weights):
    for image in (Image.new("RGB", (1, 1), (200, 10, 10)), Image.new("L", (5, 3), 90)):
        assert TOOLS["deblur"].run(image, weights=weights, method="net").size == image.size


@pytest.mark.slow
def test_tiling_matches_one_pass_for_a_net_without_global_statistics(tmp_path):
    # Without InstanceNorm the net only sees a local neighbourhood, smaller than the tile overlap,
    # so tiles blended back must give the one-pass result.
    local = {"ngf": 8, "n_blocks": 1, "norm": "none", "dropout": 0.0, "learn_residual": True}
    torch.manual_seed(5)
    net = DeblurGenerator(GeneratorConfig(**local)).eval()
    rgb = np.asarray(data.astronaut()[:300, :420])
    seen: list[float] = []
    tiled = run_generator(net, rgb, tile=128, progress=seen.append)
    whole = run_generator(net, rgb, tile=1024)
    assert len(seen) > 4 and seen[-1] == pytest.approx(1.0)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_one_net_per_process_across_threads(weights):
    nets: list[object] = []
    settings = load_settings()
    threads = [threading.Thread(target=lambda: nets.append(generator_for(weights, settings))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(nets) == 4 and all(net is nets[0] for net in nets)
    assert not nets[0].training


def test_cli_writes_the_result(tmp_path, weights):
    golden_input().save(tmp_path / "in.jpg", quality=95)
    result = CliRunner().invoke(
        main, ["deblur", str(tmp_path / "in.jpg"), "-o", str(tmp_path / "out.png"), "--weights", weights, "--tile", "128"]
    )
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "out.png") as written:
        assert written.size == golden_input().size


def test_cli_exits_4_on_missing_weights_before_writing_anything(tmp_path):
    golden_input().save(tmp_path / "in.png")
    result = CliRunner().invoke(
        main, ["deblur", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--weights", "deblurgan-v1"]
    )
    assert result.exit_code == 4
    assert "latest_net_G.pth" in result.output and str(tmp_path / "models") in result.output
    assert not (tmp_path / "out.png").exists()


def test_cli_exits_4_on_unusable_weights(tmp_path):
    golden_input().save(tmp_path / "in.png")
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint")
    result = CliRunner().invoke(
        main, ["deblur", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--weights", str(tmp_path / "junk.pth")]
    )
    assert result.exit_code == 4 and "junk.pth" in result.output


def test_tile_size_is_validated():
    from restora.tools.base import InvalidParams

    with pytest.raises(InvalidParams, match="between 128 and 4096"):
        TOOLS["deblur"].validate({"tile": "64"})


@pytest.mark.slow
def test_strength_blends_between_the_photo_and_the_net(weights):
    photo = golden_input()
    original = np.asarray(photo).astype(float)
    full = np.asarray(TOOLS["deblur"].run(photo, weights=weights, tile=128, method="net")).astype(float)
    half = np.asarray(TOOLS["deblur"].run(photo, weights=weights, tile=128, strength=0.5, method="net")).astype(float)
    none = np.asarray(TOOLS["deblur"].run(photo, weights=weights, tile=128, strength=0.0, method="net"))
    np.testing.assert_array_equal(none, np.asarray(photo))
    assert np.abs(half - (original + full) / 2).max() <= 1  # rounding only
    assert np.abs(full - original).mean() > 1  # the net does change the photo, so the blend is a real test
    with pytest.raises(InvalidParams):
        TOOLS["deblur"].validate({"strength": 1.5})


@pytest.mark.slow
def test_bfloat16_stays_within_two_levels_of_float32_with_the_shipped_weights(monkeypatch):
    photo = Image.fromarray(data.astronaut()[100:356, 100:356])
    exact = np.asarray(TOOLS["deblur"].run(photo, method="net")).astype(int)
    monkeypatch.setenv("RESTORA_INFERENCE_PRECISION", "bfloat16")
    fast = np.asarray(TOOLS["deblur"].run(photo, method="net")).astype(int)
    difference = np.abs(fast - exact)
    # measured on whole photos: max 2, mean 0.009-0.021 (docs/training/deblur_checks.py precision)
    assert difference.max() <= 2 and difference.mean() < 0.1
    assert np.abs(exact - np.asarray(photo).astype(int)).mean() > 1  # the net did change the photo


def test_precision_setting():
    from restora.config import ConfigError, load_settings

    assert uses_bfloat16("bfloat16") and not uses_bfloat16("float32")
    assert isinstance(uses_bfloat16("auto"), bool)
    with pytest.raises(ConfigError, match="inference_precision"):
        load_settings(inference_precision="float16")


def test_kernel_method_needs_no_weights_and_keeps_size_and_alpha(tmp_path):
    # RESTORA_MODELS_DIR is empty here: the kernel method must not ask for a net
    image = golden_input().convert("RGBA")
    image.putalpha(Image.new("L", image.size, 77))
    params = TOOLS["deblur"].validate({"method": "kernel", "weights": "deblurgan-v1"})
    TOOLS["deblur"].prepare(**params)
    out = TOOLS["deblur"].run(image, **params)
    assert out.size == image.size and out.mode == "RGBA" and out.getchannel("A").getextrema() == (77, 77)
    for tiny in (Image.new("RGB", (1, 1), (200, 10, 10)), Image.new("L", (5, 3), 90)):
        assert TOOLS["deblur"].run(tiny, method="kernel").size == tiny.size


@pytest.mark.slow
def test_kernel_method_keeps_the_best_supported_of_its_estimates():
    from restora.imaging import blind
    from restora.imaging.blur import blur_image, linear_kernel
    from restora.tools.deblur import KERNEL_VIEWS

    shaken = blur_image(np.asarray(golden_input()).astype(np.float32) / 255.0, linear_kernel(11, 60))
    shaken = np.rint(shaken * 255).astype(np.uint8)
    photo = shaken.astype(np.float32) / 255.0
    found = [blind.estimate_kernel(copy, pad_extra_at=side)
             for copy, side in blind.estimation_views(photo, blind.BlindConfig(), KERNEL_VIEWS)[0]]
    kept, _ = blind.medoid_kernel(found)  # which one is kept varies with the CPU's arithmetic (the estimate
    # is chaotic): medoid_kernel itself is checked against known kernels in tests/imaging
    restored = blind.deconvolve(photo, found[kept], reg=blind.regularisation_for(photo))
    expected = np.clip(np.rint(restored * 255.0), 0, 255).astype(np.uint8)
    assert np.array_equal(np.asarray(TOOLS["deblur"].run(Image.fromarray(shaken), method="kernel")), expected)


def test_method_is_validated():
    with pytest.raises(InvalidParams, match="auto, net, kernel"):
        TOOLS["deblur"].validate({"method": "fft"})


def test_cli_kernel_method(tmp_path):
    golden_input().save(tmp_path / "in.png")
    result = CliRunner().invoke(
        main, ["deblur", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--method", "kernel"]
    )
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "out.png") as written:
        assert written.size == golden_input().size


def _auto_kernel_result(shaken: Image.Image) -> np.ndarray | None:
    """What auto's kernel branch gives for this photo: the kept estimate's deconvolution, or None."""
    from restora.tools import deblur

    return deblur.deblur_by_kernel(np.asarray(shaken), None, min_spread=deblur.AUTO_MIN_SPREAD,
                                   views=deblur.AUTO_VIEWS, min_support=deblur.AUTO_MIN_SUPPORT)


@pytest.mark.slow
def test_auto_uses_the_net_on_a_sharp_photo_and_deconvolves_a_hard_shake(weights):
    from restora.imaging.blur import blur_image, linear_kernel

    sharp = golden_input()
    params = TOOLS["deblur"].validate({"method": "auto", "weights": weights})
    by_net = TOOLS["deblur"].run(sharp, **(params | {"method": "net"}))
    assert np.array_equal(np.asarray(TOOLS["deblur"].run(sharp, **params)), np.asarray(by_net))
    # large enough for the estimates to agree (on the 150×203 golden crop they did not)
    shaken = data.astronaut()[:300, :400].astype(np.float32) / 255.0
    shaken = Image.fromarray(np.rint(blur_image(shaken, linear_kernel(25, 30)) * 255).astype(np.uint8))
    by_kernel = _auto_kernel_result(shaken)
    by_net = TOOLS["deblur"].run(shaken, **(params | {"method": "net"}))
    assert by_kernel is not None and not np.array_equal(by_kernel, np.asarray(by_net))
    assert np.array_equal(np.asarray(TOOLS["deblur"].run(shaken, **params)), by_kernel)


@pytest.mark.slow
def test_auto_keeps_the_nets_result_when_the_estimates_disagree(weights, monkeypatch):
    from restora.imaging.blur import blur_image, linear_kernel
    from restora.tools import deblur

    shaken = np.asarray(golden_input()).astype(np.float32) / 255.0
    shaken = Image.fromarray(np.rint(blur_image(shaken, linear_kernel(25, 30)) * 255).astype(np.uint8))
    params = TOOLS["deblur"].validate({"method": "auto", "weights": weights})
    by_net = TOOLS["deblur"].run(shaken, **(params | {"method": "net"}))
    # on this small crop the estimates disagree: auto keeps the net's result ...
    assert _auto_kernel_result(shaken) is None
    assert np.array_equal(np.asarray(TOOLS["deblur"].run(shaken, **params)), np.asarray(by_net))
    # ... and deconvolves when the bar is lower
    monkeypatch.setattr(deblur, "AUTO_MIN_SUPPORT", 0.3)
    by_kernel = _auto_kernel_result(shaken)
    assert by_kernel is not None
    assert np.array_equal(np.asarray(TOOLS["deblur"].run(shaken, **params)), by_kernel)


def test_auto_trusts_a_net_that_sees_no_blur(tmp_path):
    # a generator whose last convolution is zero returns its input (the global skip): it "sees" no blur,
    # so auto returns that result without estimating a kernel, even for a shaken photo
    from restora.imaging.blur import blur_image, linear_kernel

    torch.manual_seed(3)
    net = DeblurGenerator(GeneratorConfig(**TINY))
    last = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)][-1]
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.zeros_(last.bias)
    path = tmp_path / "identity.safetensors"
    save_safetensors(net.state_dict(), TINY, path, tool="deblur")
    shaken = np.asarray(golden_input()).astype(np.float32) / 255.0
    shaken = np.rint(blur_image(shaken, linear_kernel(25, 30)) * 255).astype(np.uint8)
    out = TOOLS["deblur"].run(Image.fromarray(shaken), method="auto", weights=str(path))
    assert np.array_equal(np.asarray(out), shaken)

"""DeOldify's published generators: key layouts as documented (shared/reference/models.md §4.2), strict
loading of a file laid out like ColorizeArtistic_gen.pth, clear errors for other files, and the colorize
tool running one with the photo's luminance kept.

No published file is used (Restora never downloads them): the layouts are checked against the documented
key names and shapes, and a randomly initialised Artistic generator stands in for the real file. Stable
(218 M parameters) is checked on the meta device only, which allocates no memory.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from skimage import data

from restora.config import load_settings
from restora.imaging.colour import luma, rgb_to_yuv
from restora.imaging.old_photo import auto_levels
from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig, remove_spectral_norms
from restora.nets.deoldify import PRESETS, DeOldifyGenerator, detect_config, load_deoldify
from restora.tools.base import NETS
from restora.tools.colorize import Colorize
from restora.tools.colorize.inference import build_generator
from restora.weights import REGISTRY, WeightsError, load_weights

ENCODER_KEYS = {
    # conv1 + bn1 (weight, bias, running_mean, running_var, num_batches_tracked), then per block its convs
    # and BNs, plus a downsample (conv + BN) where a stage changes width or stride.
    "resnet34": 1 + 5 + 16 * (2 + 2 * 5) + 3 * (1 + 5),  # BasicBlock ×(3,4,6,3), downsample in layer2-4
    "resnet101": 1 + 5 + 33 * (3 + 3 * 5) + 4 * (1 + 5),  # Bottleneck ×(3,4,23,3), downsample in layer1-4
}


def meta_state(name: str) -> dict[str, torch.Tensor]:
    with torch.device("meta"):
        return DeOldifyGenerator(PRESETS[name]).state_dict()


def shapes(state: dict[str, torch.Tensor]) -> dict[str, tuple[int, ...]]:
    return {key: tuple(value.shape) for key, value in state.items()}


def check_common_layout(state: dict[str, torch.Tensor], encoder: str) -> None:
    keys = list(state)
    assert keys[0] == "layers.0.0.weight" and tuple(state[keys[0]].shape) == (64, 3, 7, 7)
    assert keys[-1] == "layers.11.0.weight_v"  # the 1×1 output conv's spectral-norm vector comes last
    assert sum(key.startswith("layers.0.") for key in keys) == ENCODER_KEYS[encoder]
    # every spectral-norm conv stores weight_orig, weight_u and weight_v, never a plain weight
    for key in [k for k in keys if k.endswith(".weight_orig")]:
        stem = key.removesuffix("_orig")
        assert f"{stem}_u" in state and f"{stem}_v" in state and stem not in state
    # layers.1 BN and the middle's two SN convs; layers.2/9/12 (ReLU, merge, SigmoidRange) hold nothing
    assert not any(k.startswith(("layers.2.", "layers.9.", "layers.12.")) for k in keys)
    # fastai's PixelShuffle_ICNR with weight norm, res_block of SN convs with bias, the SN output conv
    assert {"layers.8.conv.0.weight_g", "layers.8.conv.0.weight_v", "layers.8.conv.0.bias",
            "layers.10.layers.0.0.bias", "layers.10.layers.1.0.weight_orig", "layers.11.0.bias"} <= set(keys)
    assert "layers.4.shuf.conv.0.weight_orig" in state  # the key a third-party loader reads


def test_artistic_layout_is_the_documented_one():
    state = meta_state("artistic")
    check_common_layout(state, "resnet34")
    s = shapes(state)
    assert s["layers.0.4.0.conv1.weight"] == (64, 64, 3, 3) and "layers.0.4.0.conv3.weight" not in s
    assert s["layers.0.5.0.downsample.0.weight"] == (128, 64, 1, 1)
    assert s["layers.1.weight"] == (512,)
    assert s["layers.3.0.0.weight_orig"] == (1024, 512, 3, 3) and s["layers.3.1.0.weight_orig"] == (512, 1024, 3, 3)
    assert s["layers.3.0.2.running_var"] == (1024,)
    # models.md channel plan, Deep r34 nf 1.5
    assert s["layers.4.shuf.conv.0.weight_orig"] == (1024, 512, 1, 1) and s["layers.4.bn.weight"] == (256,)
    assert s["layers.4.conv1.0.weight_orig"] == (768, 512, 3, 3) and s["layers.4.conv2.0.weight_orig"] == (768, 768, 3, 3)
    assert s["layers.5.shuf.conv.0.weight_orig"] == (1536, 768, 1, 1) and s["layers.5.bn.weight"] == (128,)
    assert s["layers.5.conv2.3.query.weight_orig"] == (96, 768, 1) and s["layers.5.conv2.3.value.weight_orig"] == (768, 768, 1)
    assert s["layers.5.conv2.3.gamma"] == (1,)
    assert not any(".3.query." in k for k in s if not k.startswith("layers.5."))  # attention in block 5 only
    assert s["layers.6.conv1.0.weight_orig"] == (672, 448, 3, 3)
    assert s["layers.7.shuf.conv.0.weight_orig"] == (1344, 672, 1, 1) and s["layers.7.conv1.0.weight_orig"] == (300, 400, 3, 3)
    assert s["layers.8.conv.0.weight_v"] == (1200, 300, 1, 1) and s["layers.8.conv.0.weight_g"] == (1200, 1, 1, 1)
    assert s["layers.10.layers.0.0.weight_orig"] == (303, 303, 3, 3) and s["layers.11.0.weight_orig"] == (3, 303, 1, 1)
    assert "layers.4.conv.0.weight_orig" not in s  # the key whose absence jantic/DeOldify#96 reports


def test_stable_layout_is_the_documented_one():
    state = meta_state("stable")
    check_common_layout(state, "resnet101")
    s = shapes(state)
    assert s["layers.0.4.0.conv3.weight"] == (256, 64, 1, 1) and s["layers.0.4.0.downsample.0.weight"] == (256, 64, 1, 1)
    assert s["layers.0.6.22.conv3.weight"] == (1024, 256, 1, 1) and "layers.0.6.23.conv1.weight" not in s
    assert s["layers.0.7.2.bn3.running_var"] == (2048,)
    assert s["layers.3.0.0.weight_orig"] == (4096, 2048, 3, 3)
    # models.md channel plan, Wide r101 nf 2 (nf = 1024)
    assert s["layers.4.shuf.conv.0.weight_orig"] == (2048, 2048, 1, 1) and s["layers.4.bn.weight"] == (1024,)
    assert s["layers.4.conv.0.weight_orig"] == (512, 1536, 3, 3)
    assert s["layers.5.conv.0.weight_orig"] == (512, 1024, 3, 3) and s["layers.5.conv.3.key.weight_orig"] == (64, 512, 1)
    assert s["layers.6.conv.0.weight_orig"] == (512, 768, 3, 3)
    assert s["layers.7.shuf.conv.0.weight_orig"] == (1024, 512, 1, 1) and s["layers.7.conv.0.weight_orig"] == (256, 320, 3, 3)
    assert s["layers.8.conv.0.weight_v"] == (1024, 256, 1, 1)
    assert s["layers.10.layers.1.0.weight_orig"] == (259, 259, 3, 3) and s["layers.11.0.weight_orig"] == (3, 259, 1, 1)
    assert "layers.4.conv1.0.weight_orig" not in s


@pytest.mark.parametrize("name, millions", [("artistic", 63.6), ("stable", 218.2)])
def test_parameter_counts_match_the_reference(name, millions):
    with torch.device("meta"):
        net = DeOldifyGenerator(PRESETS[name])
    assert round(sum(p.numel() for p in net.parameters()) / 1e6, 1) == millions  # models.md §4.1 table


@pytest.mark.parametrize("name", ["artistic", "stable"])
def test_the_configuration_is_read_from_the_keys(name):
    assert detect_config(meta_state(name)) == PRESETS[name]


def test_the_registry_entries_name_the_presets():
    assert REGISTRY["deoldify-artistic"].architecture == PRESETS["artistic"].architecture()
    assert REGISTRY["deoldify-stable"].architecture == PRESETS["stable"].architecture()
    assert {REGISTRY[n].family for n in ("deoldify-artistic", "deoldify-stable")} == {"deoldify-pth"}


def test_a_file_of_one_layout_does_not_load_as_the_other():
    with pytest.raises(ValueError, match=r"wrong shape .*layers\.0\.4\.0\.conv1\.weight"):
        load_deoldify(meta_state("artistic"), PRESETS["stable"])


# --- a real file laid out like ColorizeArtistic_gen.pth ---------------------------------------------


@pytest.fixture(scope="module")
def artistic(tmp_path_factory):
    """A seeded random Artistic generator and its file in fastai's {'model': ..., 'opt': ...} wrapper."""
    torch.manual_seed(3)
    net = DeOldifyGenerator(PRESETS["artistic"]).eval()
    path = tmp_path_factory.mktemp("deoldify") / "ColorizeArtistic_gen.pth"
    torch.save({"model": net.state_dict(), "opt": None}, path)
    return net, path


@pytest.fixture
def settings(tmp_path, monkeypatch):
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(models_dir))
    NETS.clear()
    yield load_settings()
    NETS.clear()


@pytest.mark.slow  # builds and saves a 255 MB generator once for the module, runs it twice
def test_strict_round_trip_gives_the_same_net(artistic, settings):
    net, path = artistic
    loaded = load_weights(str(path), "colorize", settings)
    assert loaded.architecture == {"net": "deoldify", **asdict(PRESETS["artistic"])}
    rebuilt = build_generator(loaded)
    assert isinstance(rebuilt, DeOldifyGenerator)
    y = torch.rand(1, 1, 48, 48)  # 48 px: layer4 is 2×2, so a decoder block resizes its upsampled map
    with torch.inference_mode():
        expected = net.grey_to_uv(y)
        got = rebuilt.grey_to_uv(y)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)
    # a bare state dict with DataParallel's prefix, saved in half precision, gives a float32 net
    bare = settings.models_dir / "bare.pth"
    torch.save({f"module.{k}": v.half() if v.is_floating_point() else v for k, v in net.state_dict().items()}, bare)
    half = build_generator(load_weights(str(bare), "colorize", settings))
    assert {p.dtype for p in half.parameters()} == {torch.float32}
    with torch.inference_mode():
        # half-precision weights move a random net's saturated outputs a little, a few pixels far
        assert (half.grey_to_uv(y) - expected).abs().mean() < 0.01


@pytest.mark.slow
def test_by_name_from_the_models_folder_and_models_verify(artistic, settings):
    _, path = artistic
    (settings.models_dir / "ColorizeArtistic_gen.pth").symlink_to(path)
    loaded = load_weights("deoldify-artistic", "colorize", settings)
    assert loaded.architecture["encoder"] == "resnet34"
    from restora.cli import main

    result = CliRunner().invoke(main, ["models", "verify"])
    assert result.exit_code == 0, result.output
    assert "deoldify-artistic: ok, 378 tensors" in result.output
    assert "deoldify-stable: missing" in result.output
    # the Artistic file under the Stable name is refused for what it is
    (settings.models_dir / "ColorizeStable_gen.pth").symlink_to(path)
    with pytest.raises(WeightsError, match="holds DeOldify's artistic generator"):
        load_weights("deoldify-stable", "colorize", settings)


@pytest.mark.slow
def test_missing_and_misshapen_keys_are_named(artistic, settings):
    net, _ = artistic
    state = net.state_dict()
    missing = {k: v for k, v in state.items() if k != "layers.5.conv2.3.gamma"}
    torch.save({"model": missing}, settings.models_dir / "missing.pth")
    with pytest.raises(WeightsError, match=r"1 missing \(layers\.5\.conv2\.3\.gamma\)"):
        build_generator(load_weights(str(settings.models_dir / "missing.pth"), "colorize", settings))
    extra = {**state, "layers.13.weight": torch.zeros(3)}
    torch.save({"model": extra}, settings.models_dir / "extra.pth")
    with pytest.raises(WeightsError, match=r"1 unexpected \(layers\.13\.weight\)"):
        build_generator(load_weights(str(settings.models_dir / "extra.pth"), "colorize", settings))
    wrong = {**state, "layers.11.0.bias": torch.zeros(4)}
    torch.save({"model": wrong}, settings.models_dir / "wrong.pth")
    with pytest.raises(WeightsError, match=r"layers\.11\.0\.bias \(4,\) \(expected \(3,\)\)"):
        build_generator(load_weights(str(settings.models_dir / "wrong.pth"), "colorize", settings))


def test_other_files_are_refused_clearly(settings, tmp_path):
    ours = tmp_path / "ours.pth"
    torch.save(ColorizeGenerator(ColorizeNetConfig(widths=(8,) * 5, blocks=(1,) * 5, decoder=(8,) * 4)).state_dict(), ours)
    with pytest.raises(WeightsError, match="not a DeOldify generator"):
        load_weights(str(ours), "colorize", settings)
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a pickle")
    with pytest.raises(WeightsError, match="not a plain PyTorch weights file"):
        load_weights(str(garbage), "colorize", settings)
    nothing = tmp_path / "empty.pth"
    torch.save({"model": {}}, nothing)
    with pytest.raises(WeightsError, match="does not hold a state dict"):
        load_weights(str(nothing), "colorize", settings)


def test_a_restora_training_checkpoint_loads_by_path(settings, tmp_path):
    config = ColorizeNetConfig(widths=(8,) * 5, blocks=(1,) * 5, decoder=(8,) * 4)
    torch.manual_seed(1)
    net = ColorizeGenerator(config)
    path = tmp_path / "latest.pt"
    torch.save({"generator": net.state_dict(), "generator_config": asdict(config), "step": 3}, path)
    rebuilt = build_generator(load_weights(str(path), "colorize", settings))
    y = torch.rand(1, 1, 64, 64)
    with torch.inference_mode():
        torch.testing.assert_close(rebuilt(y), remove_spectral_norms(net.eval())(y))


@pytest.mark.slow
def test_the_tool_colorizes_with_deoldify_weights_and_keeps_luminance(artistic, settings):
    _, path = artistic
    photo = data.astronaut()[::4, ::4]  # 128×128 colour photo, colorized from its grey
    grey = np.repeat(np.rint(luma(photo) * 255).astype(np.uint8)[..., None], 3, axis=2)
    out = np.asarray(Colorize().run(Image.fromarray(grey[:, :100]), weights=str(path), render_size=48))
    assert out.shape == (128, 100, 3)
    y_in = auto_levels(luma(grey[:, :100]))
    assert np.abs(luma(out) - y_in).mean() <= 1 / 255
    assert np.abs(luma(out) - y_in).max() <= 1 / 255
    chroma = np.abs(rgb_to_yuv(out)[..., 1:]).mean()
    assert chroma > 0.005  # the random net's colours came through (grey would be 0)

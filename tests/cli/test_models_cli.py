"""`restora models list|verify|export`."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner

from restora.cli import main
from restora.nets.deblur import DeblurGenerator, GeneratorConfig
from restora.weights import REGISTRY, load_weights, sha256_of

ARCH = {"ngf": 8, "n_blocks": 2, "norm": "none", "dropout": 0.0, "learn_residual": True}


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setenv("RESTORA_MODELS_DIR", str(folder))
    return folder


def test_list_shows_every_entry_and_where_it_is_looked_for(models_dir):
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    for name in REGISTRY:
        assert name in result.output
    assert str(models_dir / "latest_net_G.pth") in result.output and "missing" in result.output


def test_verify_loads_a_present_official_file_and_flags_a_broken_one(models_dir):
    torch.manual_seed(0)
    torch.save(DeblurGenerator(GeneratorConfig()).state_dict(), models_dir / "latest_net_G.pth")
    result = CliRunner().invoke(main, ["models", "verify"])
    assert result.exit_code == 0, result.output
    assert "deblurgan-v1: ok, 48 tensors" in result.output
    (models_dir / "latest_net_G.pth").write_bytes(b"truncated")
    result = CliRunner().invoke(main, ["models", "verify"])
    assert result.exit_code == 1 and "deblurgan-v1: BAD" in result.output


def test_export_turns_a_training_checkpoint_into_safetensors_and_a_card(tmp_path, models_dir):
    torch.manual_seed(2)
    net = DeblurGenerator(GeneratorConfig(**ARCH))
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({**ARCH, "lr": 1e-4, "threads": 2}))
    state = {"generator": net.state_dict(), "critic": {}, "step": 1234, "elapsed_s": 7200.0, "generator_config": ARCH}
    torch.save(state, run / "latest.pt")
    out = tmp_path / "shipped"
    result = CliRunner().invoke(main, ["models", "export", str(run / "latest.pt"), "--name", "deblur-test", "--tool", "deblur",
                                       "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    weights = out / "deblur-test.safetensors"
    assert f"sha256 {sha256_of(weights)}" in result.output
    loaded = load_weights(str(weights), "deblur", None)
    assert loaded.architecture == ARCH
    assert all(torch.equal(loaded.state_dict[k], v) for k, v in net.state_dict().items())
    card = (out / "deblur-test.md").read_text()
    assert "1,234 generator steps" in card and "2.00 h" in card and sha256_of(weights) in card
    score = lambda psnr: {"psnr": psnr, "ssim": 0.9}  # noqa: E731
    evaluation = {"images": ["a.png"], "config": {"border": 16, "seed": 2026},
                  "means": {"trajectory": {"blurred": score(24.0), "output": score(25.5)}},
                  "unblurred": {"unsharp": score(31.0), "output": score(36.5)}}
    (tmp_path / "eval.json").write_text(json.dumps(evaluation))
    result = CliRunner().invoke(main, ["models", "export", str(run / "latest.pt"), "--name", "deblur-test", "--tool", "deblur",
                                       "--out-dir", str(out), "--eval-json", str(tmp_path / "eval.json")])
    assert result.exit_code == 0, result.output
    card = (out / "deblur-test.md").read_text()
    assert "| **this net** | 25.50 | 0.9000 | +1.50 |" in card and "- this net: 36.50 dB PSNR" in card

"""NoGAN on a tiny photo set: the three phases in order, the inflection pick, resume bit for bit."""

from __future__ import annotations

import csv
import json
from dataclasses import fields, replace
from pathlib import Path

import pytest
import torch

from restora.tools.colorize.training import ColorizeTrainConfig, parse_args, pick_inflection, train_colorize
from tests.colorize.photo_sets import write_photo_set

TINY = ColorizeTrainConfig(
    widths="8,8,8,8,8", blocks="1,1,1,1,1", decoder="8,8,8,8", ndf=4, crop=64, batch=2,
    generator_steps=3, critic_steps=2, gan_steps=3, gan_checkpoint_every=2, val_every=2, log_every=1,
    val_count=1, val_side=96, render_size=64, threads=1,
)


@pytest.fixture(scope="module")
def photo_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    write_photo_set(folder, {"train": 3, "val": 1})
    return folder


def rows(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(newline="") as handle:
        return [{k: v for k, v in r.items() if k != "elapsed_s"} for r in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def full_run(photo_set: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full")
    train_colorize(TINY, photo_set, out, progress=False)
    return out


@pytest.mark.slow
def test_phases_run_in_order_and_leave_their_files(full_run: Path) -> None:
    phases = [r["phase"] for r in rows(full_run) if r["ce"] or r["critic"]]
    assert phases == ["generator"] * 3 + ["critic"] * 2 + ["gan"] * 3
    critic_rows = [r for r in rows(full_run) if r["phase"] == "critic" and r["critic"]]
    assert all(not r["ce"] for r in critic_rows)  # phase 2 trains the critic alone
    gan_rows = [r for r in rows(full_run) if r["phase"] == "gan" and r["ce"]]
    assert all(r["critic"] and float(r["adversarial"]) > 0 for r in gan_rows)
    names = {p.name for p in (full_run / "checkpoints").iterdir()}
    assert {"latest.pt", "generator_phase.pt", "inflection.pt", "gan_000000.pt", "gan_000002.pt", "gan_000003.pt"} <= names
    picked = json.loads((full_run / "inflection.json").read_text())
    assert [s["gan_step"] for s in picked["scores"]] == [0, 2, 3]
    assert picked["picked"] == pick_inflection(picked["scores"])
    for name in ("curves.png", "inflection.png", "samples.png", "config.json"):
        assert (full_run / name).stat().st_size > 0


def test_inflection_is_the_best_score_and_the_earliest_of_ties() -> None:
    scores = [{"gan_step": s, "val_score": v} for s, v in ((0, 1.0), (25, 1.4), (50, 1.4), (75, 0.2))]
    assert pick_inflection(scores)["gan_step"] == 25


@pytest.mark.slow
@pytest.mark.parametrize("stop", [2, 3, 7])  # inside phase 1, at its last step, inside the GAN phase
def test_resume_continues_bit_for_bit(photo_set: Path, full_run: Path, tmp_path: Path, stop: int) -> None:
    train_colorize(replace(TINY, stop_at_step=stop), photo_set, tmp_path, progress=False)
    interrupted = torch.load(tmp_path / "checkpoints/latest.pt", weights_only=True)
    assert interrupted["step"] == stop
    train_colorize(TINY, photo_set, tmp_path, resume=True, progress=False)
    ours = torch.load(tmp_path / "checkpoints/latest.pt", weights_only=True)
    theirs = torch.load(full_run / "checkpoints/latest.pt", weights_only=True)
    assert ours["phase"] == theirs["phase"] == "done"
    for net in ("generator", "critic"):
        for key, value in theirs[net].items():
            assert torch.equal(ours[net][key], value), f"{net}.{key} differs after resuming at step {stop}"
    assert rows(tmp_path) == rows(full_run)


def test_every_config_field_has_help_and_an_option() -> None:
    for f in fields(ColorizeTrainConfig):
        assert f.metadata["help"]
    args = parse_args(["--data", "d", "--out", "o", "--batch", "4", "--gan-lr", "3e-5", "--widths", "8,8,8,8,8"])
    assert (args.batch, args.gan_lr, args.widths, args.resume) == (4, 3e-5, "8,8,8,8,8", False)
    assert ColorizeTrainConfig(widths=args.widths, decoder="8,8,8,8").net.widths == (8, 8, 8, 8, 8)
    with pytest.raises(ValueError, match="multiple of 32"):
        ColorizeTrainConfig(crop=100)


def test_init_starts_phase_one_from_a_shipped_export(photo_set: Path, full_run: Path, tmp_path: Path) -> None:
    from restora.tools.colorize.export import export_generator
    from restora.tools.colorize.training import ColorizeTrainer, initial_generator

    export = tmp_path / "g.safetensors"
    export_generator(full_run / "checkpoints" / "inflection.pt", export)
    warm = replace(TINY, init=str(export))
    trainer = ColorizeTrainer(warm, None, torch.ones(4).numpy())  # the photo set is not read before a step
    shipped = initial_generator(export)
    assert all(torch.equal(trainer.generator.state_dict()[k], shipped[k]) for k in shipped)
    with pytest.raises(FileNotFoundError, match="--init"):
        ColorizeTrainer(replace(TINY, init=str(tmp_path / "missing.safetensors")), None, torch.ones(4).numpy())

import csv
import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from restora.cli import main
from restora.training.checkpoints import load_checkpoint, load_generator, save_generator_only
from restora.tools.deblur.training import DeblurTrainConfig, train_deblur

def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


TINY = dict(ngf=4, n_blocks=1, ndf=4, crop=32, val_crop=32, batch=2, critic_iters=2, threads=1,
            log_every=1, val_every=2, sample_every=2, warmup_steps=1)


@pytest.mark.slow  # a real (tiny) training run: about 3 s alone, 10+ s on a busy machine
def test_smoke_run_through_the_cli_writes_every_artefact(tiny_photo_set, tmp_path):
    out = tmp_path / "run"
    args = ["train", "deblur", "--data", str(tiny_photo_set), "--out", str(out), "--steps", "3", "--ngf", "4",
            "--blocks", "1", "--crop", "32", "--val-crop", "32", "--batch", "2", "--critic-iters", "2", "--threads", "1",
            "--log-every", "1", "--val-every", "2", "--sample-every", "2", "--warmup-steps", "1", "--no-progress"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "stopped at step 3" in result.output
    config = json.loads((out / "config.json").read_text())
    assert config["gan"] == "wgan-gp" and config["gp_weight"] == 10 and config["critic_iters"] == 2
    rows = read_rows(out / "metrics.csv")
    assert [r["step"] for r in rows] == ["0", "1", "2", "3"]
    assert [r["phase"] for r in rows[1:]] == ["warmup", "adversarial", "adversarial"]
    assert rows[1]["wasserstein"] == "" and rows[2]["wasserstein"] != ""
    assert rows[0]["val_gain"] != "" and rows[2]["val_gain"] != "" and rows[3]["val_gain"] != ""
    assert float(rows[0]["val_sharp_psnr"]) > 10  # sharp crops through the net, compared with themselves
    for name in ("loss_curve.png", "samples.png", "samples/step_0000002.png", "checkpoints/latest.pt",
                 "checkpoints/best.pt"):
        assert (out / name).stat().st_size > 0, name
    state = load_checkpoint(out / "checkpoints")
    assert {"generator", "critic", "optimizers", "step", "rng states", "machine"} <= set(state)
    assert "CPU only" in state["machine"]  # what the model card says the weights were trained on
    assert state["step"] == 3
    best = load_checkpoint(out / "checkpoints" / "best.pt")
    gains = {int(r["step"]): float(r["val_gain"]) for r in rows[1:] if r["val_gain"]}
    assert best["step"] == max(gains, key=gains.get) and best["best_val_gain"] == max(gains.values())
    generator_config, net = load_generator(out / "checkpoints")
    assert generator_config.ngf == 4 and not net.training
    slim = save_generator_only(out / "checkpoints" / "latest.pt", tmp_path / "slim" / "g.pt")
    assert set(load_checkpoint(slim)) == {"generator", "generator_config", "config", "step", "elapsed_s",
                                          "best_val_gain", "machine"}
    assert slim.stat().st_size < (out / "checkpoints" / "latest.pt").stat().st_size / 2
    assert load_generator(slim)[0] == generator_config  # still exports, evaluates and starts new runs


@pytest.mark.slow  # three short training runs
def test_resume_reproduces_the_next_steps_exactly(tiny_photo_set, tmp_path):
    straight = train_deblur(DeblurTrainConfig(**TINY, steps=4), tiny_photo_set, tmp_path / "a", progress=False)
    train_deblur(DeblurTrainConfig(**TINY, steps=2), tiny_photo_set, tmp_path / "b", progress=False)
    # the resumed run takes its recipe from the checkpoint; a different lr here must be ignored
    resumed = train_deblur(DeblurTrainConfig(**TINY | {"lr": 0.5}, steps=4), tiny_photo_set, tmp_path / "b",
                           resume=True, progress=False)
    assert resumed.step == straight.step == 4
    for name, tensor in straight.generator.state_dict().items():
        torch.testing.assert_close(resumed.generator.state_dict()[name], tensor, rtol=0, atol=0, msg=name)
    for name, tensor in straight.critic.state_dict().items():
        torch.testing.assert_close(resumed.critic.state_dict()[name], tensor, rtol=0, atol=0, msg=name)
    rows_a = read_rows(tmp_path / "a" / "metrics.csv")
    rows_b = read_rows(tmp_path / "b" / "metrics.csv")
    drop = lambda rows: [{k: v for k, v in r.items() if k != "elapsed_s"} for r in rows]  # noqa: E731
    assert drop(rows_a) == drop(rows_b)


def test_learning_rate_is_constant_then_falls_linearly_to_zero(tiny_photo_set, tmp_path):
    from restora.tools.deblur.training import DeblurTrainer

    trainer = DeblurTrainer(DeblurTrainConfig(**TINY, lr=1e-3, lr_decay_from=0.5, device="cpu"), tiny_photo_set, tmp_path)
    rates = [trainer.set_learning_rate(p) for p in (0.0, 0.5, 0.75, 1.0)]
    assert rates == pytest.approx([1e-3, 1e-3, 5e-4, 0.0])
    assert trainer.d_opt.param_groups[0]["lr"] == 0.0 and trainer.g_opt.param_groups[0]["lr"] == 0.0
    with pytest.raises(ValueError, match="fraction"):
        DeblurTrainConfig(lr_decay_from=1.5)


@pytest.mark.slow  # one short training run
def test_adversarial_phase_waits_for_its_fraction_of_the_run(tiny_photo_set, tmp_path):
    # warm-up ends at step 1, but the critic joins only once half the 4-step run is done (steps 2 and 3)
    train_deblur(DeblurTrainConfig(**TINY, steps=4, adversarial_from=0.5), tiny_photo_set, tmp_path / "a", progress=False)
    rows = read_rows(tmp_path / "a" / "metrics.csv")
    assert [r["phase"] for r in rows[1:]] == ["warmup", "warmup", "adversarial", "adversarial"]
    with pytest.raises(ValueError, match="adversarial_from"):
        DeblurTrainConfig(adversarial_from=1.0)


@pytest.mark.slow  # two short training runs
def test_resume_with_a_decaying_rate_and_worker_processes_matches_a_straight_run(tiny_photo_set, tmp_path):
    recipe = TINY | {"lr_decay_from": 0.25, "device": "cpu"}
    straight = train_deblur(DeblurTrainConfig(**recipe, steps=4), tiny_photo_set, tmp_path / "a", progress=False)
    train_deblur(DeblurTrainConfig(**recipe, steps=4, time_limit_min=1e-9), tiny_photo_set, tmp_path / "b", progress=False)
    resumed = train_deblur(DeblurTrainConfig(**recipe, steps=4, workers=2), tiny_photo_set, tmp_path / "b",
                           resume=True, progress=False)
    assert resumed.step == 4
    for name, tensor in straight.generator.state_dict().items():
        torch.testing.assert_close(resumed.generator.state_dict()[name], tensor, rtol=0, atol=0, msg=name)
    rows = read_rows(tmp_path / "a" / "metrics.csv")
    # each step trains at the rate of the progress made before it: 0, 1/4, 2/4, 3/4 of the run
    assert [float(r["lr"]) for r in rows[1:]] == pytest.approx([1e-4, 1e-4, 2 / 3 * 1e-4, 1 / 3 * 1e-4], abs=1e-6)  # logged to 6 decimals


def test_weight_clipping_mode_keeps_critic_weights_in_range(tiny_photo_set, tmp_path):
    trainer = train_deblur(DeblurTrainConfig(**TINY | {"warmup_steps": 0}, steps=2, gan="wgan-clip"),
                           tiny_photo_set, tmp_path / "clip", progress=False)
    assert all(p.abs().max() <= 0.01 + 1e-9 for p in trainer.critic.parameters())


@pytest.mark.slow  # one short training run
def test_a_new_run_can_start_from_earlier_weights(tiny_photo_set, tmp_path):
    from restora.nets.deblur import DeblurGenerator
    from restora.tools.deblur.training import init_generator_from
    from restora.weights import WeightsError

    earlier = train_deblur(DeblurTrainConfig(**TINY, steps=2), tiny_photo_set, tmp_path / "a", progress=False)
    checkpoint = str(tmp_path / "a" / "checkpoints" / "latest.pt")
    config = DeblurTrainConfig(**TINY, init_generator=checkpoint)
    fresh = DeblurGenerator(config.generator)
    init_generator_from(fresh, config)
    for name, tensor in earlier.generator.state_dict().items():
        torch.testing.assert_close(fresh.state_dict()[name], tensor, rtol=0, atol=0, msg=name)
    narrower = DeblurTrainConfig(**TINY | {"ngf": 2}, init_generator=checkpoint)
    with pytest.raises(WeightsError, match="cannot grow"):
        init_generator_from(DeblurGenerator(narrower.generator), narrower)
    # a wider, deeper run starts from the same function (grown, see test_grow.py)
    wider = DeblurTrainConfig(**TINY | {"ngf": 8, "n_blocks": 2}, init_generator=checkpoint)
    grown = DeblurGenerator(wider.generator)
    init_generator_from(grown, wider)
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        assert (grown.eval()(x) - earlier.generator.eval()(x)).abs().mean() < 0.01


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without a GPU")
def test_asking_for_a_gpu_that_is_not_there_is_a_usage_error(tiny_photo_set, tmp_path):
    result = CliRunner().invoke(main, ["train", "deblur", "--data", str(tiny_photo_set), "--out", str(tmp_path / "r"),
                                       "--device", "cuda"])
    assert result.exit_code == 2 and "no CUDA GPU" in result.output


@pytest.mark.slow  # one short training run
def test_bfloat16_training_runs_both_phases_and_keeps_float32_weights(tiny_photo_set, tmp_path):
    trainer = train_deblur(DeblurTrainConfig(**TINY, steps=3, precision="bfloat16"), tiny_photo_set, tmp_path / "bf",
                           progress=False)
    rows = read_rows(tmp_path / "bf" / "metrics.csv")
    assert [r["phase"] for r in rows[1:]] == ["warmup", "adversarial", "adversarial"]
    assert all(float(r["content"]) == pytest.approx(float(r["content"])) for r in rows[1:])  # not NaN
    assert float(rows[-1]["penalty"]) >= 0.0
    assert {p.dtype for p in trainer.generator.parameters()} == {torch.float32}
    with pytest.raises(ValueError, match="precision"):
        DeblurTrainConfig(precision="float16")

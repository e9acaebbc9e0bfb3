"""The percent bar a single photo gets on a terminal (restora.cli.batch.photo_progress)."""

import io

from restora.cli.batch import photo_progress


def test_disabled_gives_no_callback():
    with photo_progress(False) as progress:
        assert progress is None


def test_the_bar_follows_the_tool_and_never_goes_back():
    stream = io.StringIO()
    with photo_progress(True, stream, mininterval=0.0) as progress:  # every update drawn
        progress(0.25)
        progress(0.2)  # a tool's phases may report a little out of order
        progress(0.5)
        progress(1.5)  # clamped
    shown = stream.getvalue().split("\r")
    percents = [int(line.split("%")[0]) for line in shown if "%" in line]
    assert percents == sorted(percents) and set(percents) == {0, 25, 50, 100}  # 0.2 after 0.25 drew nothing

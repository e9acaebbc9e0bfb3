"""The desktop window (Qt offscreen, each measure in a fresh process):

- ``gui_window_open``: seconds from starting ``python`` to the window's first paint (imports, registry,
  QApplication, the window), median of a few starts;
- ``gui_ui_block_<tool>``: while the tool runs (its ``bench_params``) on a 12-megapixel photo, a QTimer
  every 10 ms records the gaps between its ticks; the longest gap minus 10 ms is the longest the UI thread
  was kept from its events. Also reported: the gap while the result is shown (converting 12 MP to the
  screen) and while the photo is opened (decoding happens on the UI thread).

``python -m benchmarks.gui_bench`` prints the entries as JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

OPEN_REPEATS = 3
TICK_MS = 10
MEGAPIXELS = 12


def _child_env() -> dict:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def window_open() -> dict:
    times, cpu = [], []
    for _ in range(OPEN_REPEATS):
        started, used = time.perf_counter(), _children_cpu()
        child = subprocess.run([sys.executable, "-m", "benchmarks.gui_bench", "--child", "open"], env=_child_env(),
                               check=True, capture_output=True, text=True)
        assert child.stdout.strip().endswith("painted"), child.stdout + child.stderr
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - used)
    # CPU seconds (user + system) of the process: on a shared, busy machine the wall time grows with the
    # others' load, the CPU time much less; on an idle machine the two are close (start-up is one thread)
    return {"name": "gui_window_open", "seconds": round(statistics.median(times), 3),
            "cpu_seconds": round(statistics.median(cpu), 3), "runs_s": [round(t, 3) for t in times],
            "load_average_1min": os.getloadavg()[0], "limit_s": 2.0}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ui_block(tool: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.gui_bench", "--child", "block", "--tool", tool]
    output = subprocess.run(command, env=_child_env(), check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result.update({"name": f"gui_ui_block_{tool}", "tool": tool, "limit_ms": 100})
    return result


def run() -> list[dict]:
    from restora.tools import TOOLS

    entries = [window_open()]
    print(f"  window open: {entries[-1]['seconds']} s", flush=True)
    for name in TOOLS:
        entries.append(ui_block(name))
        print(f"  {name}: longest UI block {entries[-1]['longest_block_ms']} ms while running", flush=True)
    return entries


# --- the measured processes ---------------------------------------------------------------------------


def _child_open() -> None:
    from PySide6.QtCore import QTimer

    from restora.gui.app import application, create_window

    app = application()
    window = create_window()

    def painted() -> None:
        window.repaint()  # the first paint has happened once the event loop runs this
        print("painted", flush=True)
        app.quit()

    QTimer.singleShot(0, painted)
    app.exec()


class GapRecorder:
    """A QTimer every TICK_MS; each tick's time and the gap since the one before."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.ticks: list[tuple[float, float]] = []  # (time, gap ms)
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        now = time.perf_counter()
        self.ticks.append((now, (now - self.last) * 1000.0))
        self.last = now

    def restart(self) -> None:
        self.ticks = []
        self.last = time.perf_counter()

    def longest_block_ms(self, start: float = 0.0, end: float = float("inf")) -> float:
        """The longest gap that ended in [start, end), less the timer's own interval."""
        gaps = [gap for at, gap in self.ticks if start <= at < end]
        return round(max(0.0, max(gaps, default=0.0) - TICK_MS), 1)


def _wait(app, condition, timeout: float = 3600.0) -> None:
    """Run the real event loop until ``condition()``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    poll.start(20)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    poll.stop()


def _child_block(tool_name: str) -> None:
    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from benchmarks.common import photo
    from restora.gui.app import application, create_window
    from restora.gui.settings import GuiSettings
    from restora.tools import TOOLS

    app = application()
    folder = Path(tempfile.mkdtemp())
    path = folder / "photo.png"
    image = photo(MEGAPIXELS)
    image.save(path, compress_level=1)
    settings = GuiSettings(QSettings(str(folder / "gui.ini"), QSettings.Format.IniFormat))
    settings.language = "en"
    window = create_window(settings=settings)
    tool = TOOLS[tool_name]
    window.select_tool(tool_name)
    for name, value in tool.bench_params.items():
        window.form.set_value(name, value)
    recorder = GapRecorder()
    settle = time.perf_counter() + 0.3
    _wait(app, lambda: time.perf_counter() > settle)

    recorder.restart()
    window.open_paths([path])  # decoded off the UI thread, then shown
    _wait(app, lambda: not window.busy())
    settle = time.perf_counter() + 0.1
    _wait(app, lambda: time.perf_counter() > settle)
    open_block = recorder.longest_block_ms()

    recorder.restart()
    result_at: list[float] = []
    window.progress.valueChanged.connect(lambda value: result_at.append(time.perf_counter()) if value >= 1000 else None)
    started = time.perf_counter()
    task = window.run_tool()
    assert task is not None, window.last_problem
    _wait(app, lambda: window.task is None)
    finished = time.perf_counter()
    settle = finished + 0.1
    _wait(app, lambda: time.perf_counter() > settle)
    end_of_run = result_at[0] if result_at else finished
    running = [gap for at, gap in recorder.ticks if at < end_of_run]
    window.close()
    print(json.dumps({
        "size": [image.width, image.height],
        "params": dict(tool.bench_params),
        "seconds": round(end_of_run - started, 2),
        "ticks": len(running),
        "longest_block_ms": recorder.longest_block_ms(end=end_of_run),
        "p99_gap_ms": round(sorted(running)[int(0.99 * (len(running) - 1))], 1) if running else None,
        "show_result_block_ms": recorder.longest_block_ms(start=end_of_run),
        "open_photo_block_ms": open_block,
        # the longest gaps while running, with when they ended (s after Run): to tell start-up from work
        "worst_gaps": [[round(at - started, 2), round(gap, 1)] for at, gap in
                       sorted(((at, gap) for at, gap in recorder.ticks if at < end_of_run), key=lambda t: -t[1])[:5]],
        "error": window.last_problem.message if window.last_problem else "",
    }))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("open", "block"))
    parser.add_argument("--tool", default="adjust")
    args = parser.parse_args()
    if args.child == "open":
        _child_open()
    elif args.child == "block":
        _child_block(args.tool)
    else:
        print(json.dumps(run(), indent=2))

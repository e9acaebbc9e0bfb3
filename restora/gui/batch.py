"""A folder of photos through the current tool into an output folder, one row per file.

The batch goes on past a bad file and says why it failed (a refused image, a tool's refusal); only a
problem every file would share (missing weights) stops it, before the first file. Painted hints or marks
and a dragged box belong to one photo, so a batch runs without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QProgressBar, QPushButton,
    QVBoxLayout,
)

from restora.gui.errors import problem_for, problem_message
from restora.gui.texts import duration, text
from restora.gui.engine import Cancelled, ProblemRaised
from restora.gui.worker import Task
from restora.i18n import N_
from restora.tools.base import PAINTED_KINDS

PER_PHOTO_KINDS = (*PAINTED_KINDS, "box")  # parameters drawn on one photo; not carried over to a batch


def find_photos(folder: Path) -> list[tuple[Path, Path]]:
    """(file, path relative to ``folder``) for each JPEG, PNG or WebP directly in ``folder``, sorted."""
    from restora.cli.batch import expand_inputs

    return expand_inputs([folder], recursive=False)


def run_batch(engine, tool, params: dict[str, Any], settings, files: list[tuple[Path, Path]], out: Path, progress,
              note) -> tuple[int, int]:
    """Run ``tool`` (in ``engine``, a ToolProcess) on each file into ``out`` (same relative name);
    note(("running"|"done"|"failed", i, why)) per file: ``why`` is the failure in words, or for "done" what the
    engine mentioned, as (words, *values) tuples (a photo the remote engine sent compressed).

    Returns (done, failed). :raises ProblemRaised: for missing weights, which every file would meet.
    """
    from restora.gui.photos import open_photo
    from restora.imaging.io import ImageLimits, save_image

    limits = ImageLimits.from_settings(settings)
    done = failed = 0
    for index, (source, relative) in enumerate(files):
        note(("running", index, ""))

        def photo_progress(fraction: float, index: int = index) -> None:
            progress((index + min(1.0, max(0.0, fraction))) / len(files))

        notices: list[tuple] = []
        try:
            image = open_photo(source, limits)
            result, _ = engine.run(tool, image, params, settings, photo_progress,
                                   lambda words, *values: notices.append((words, *values)))
            save_image(result, out / relative)
        except Cancelled:
            raise
        except ProblemRaised as exc:
            failed += 1
            note(("failed", index, problem_message(exc.problem)))
            if exc.problem.kind == "weights":
                raise  # every file would fail alike: stop, and say it once in a dialog
        except Exception as exc:  # this file only (a refused image, a crashed tool): say why, go on
            failed += 1
            note(("failed", index, problem_message(problem_for(exc))))
        else:
            done += 1
            note(("done", index, tuple(notices)))
        progress((index + 1) / len(files))
    return done, failed


class BatchDialog(QDialog):
    def __init__(self, window, folder: Path | None = None) -> None:
        super().__init__(window)
        self.main = window
        self.language = lang = window.language
        self.task: Task | None = None
        # A tool process of its own (or, with --server, the window's stateless remote engine), so a batch and
        # a run in the window do not wait on each other.
        self.engine = window.batch_engine()
        self.files: list[tuple[Path, Path]] = []
        self.done_count = self.failed_count = 0
        self.setWindowTitle(text(N_("Batch"), lang))
        self.resize(640, 480)
        self.input = QLineEdit(str(folder or ""))
        self.output = QLineEdit(str(folder.with_name(folder.name + "-restored")) if folder else "")
        self.tool_label = QLabel()
        self.list = QListWidget()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.summary = QLabel()
        self.start_button = QPushButton(text(N_("Start"), lang))
        self.cancel_button = QPushButton(text(N_("Cancel"), lang))
        self.cancel_button.setEnabled(False)
        close = QPushButton(text(N_("Close"), lang))
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        close.clicked.connect(self.close)
        form = QFormLayout()
        form.addRow(text(N_("Input folder"), lang), self._with_browse(self.input))
        form.addRow(text(N_("Output folder"), lang), self._with_browse(self.output))
        form.addRow(text(N_("Tool"), lang), self.tool_label)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.cancel_button, close):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.list, 1)
        column.addWidget(self.progress)
        column.addWidget(self.summary)
        column.addLayout(buttons)
        self.input.editingFinished.connect(self._list_files)
        self._list_files()

    def _with_browse(self, edit: QLineEdit) -> QHBoxLayout:
        row = QHBoxLayout()
        browse = QPushButton(text(N_("Choose…"), self.language))
        browse.clicked.connect(lambda: self._browse(edit))
        row.addWidget(edit, 1)
        row.addWidget(browse)
        return row

    def _browse(self, edit: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, "", edit.text())
        if folder:
            edit.setText(folder)
            self._list_files()

    def _list_files(self) -> None:
        folder = Path(self.input.text()).expanduser()
        self.files = find_photos(folder) if folder.is_dir() else []
        self.list.clear()
        for source, relative in self.files:
            self.list.addItem(f"{relative} — {text(N_('waiting'), self.language)}")
        tool = self.main.tool
        self.tool_label.setText(text(tool.title, self.language, tool))

    def start(self) -> Task | None:
        window = self.main
        source, out = Path(self.input.text()).expanduser(), Path(self.output.text()).expanduser()
        self._list_files()
        if not self.files:
            words = N_("No JPEG, PNG or WebP files in this folder.") if source.is_dir() else N_(
                "Choose a folder of photos first.")
            window.show_problem(_plain(words))
            return None
        if out.resolve() == source.resolve():
            window.show_problem(_plain(N_("The output folder must differ from the input folder.")))
            return None
        tool = window.tool
        raw = {name: value for name, value in window.form.values().items()
               if next(p for p in tool.params if p.name == name).kind not in PER_PHOTO_KINDS}
        try:
            params = tool.validate(raw)
            settings = window.settings.restora_settings()
        except Exception as exc:
            window.show_problem(exc)
            return None
        files = list(self.files)
        self.done_count = self.failed_count = 0
        engine = self.engine
        self.task = Task(lambda progress, note: run_batch(engine, tool, params, settings, files, out, progress, note))
        worker = self.task.worker
        worker.noted.connect(self._noted)
        worker.progressed.connect(self._progressed)
        worker.failed.connect(window.show_problem)
        worker.done.connect(self._finished)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.task.start()
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _noted(self, event: tuple[str, int, Any]) -> None:
        state, index, why = event
        self.done_count += state == "done"
        self.failed_count += state == "failed"
        words = {"running": N_("running"), "done": N_("done"), "failed": N_("failed: {}")}[state]
        status = text(words, self.language).format(why)
        if state == "done":  # and what the engine mentioned, in this window's language
            status = " — ".join([status, *(text(said, self.language).format(*values) for said, *values in why)])
        self.list.item(index).setText(f"{self.files[index][1]} — {status}")
        self.list.scrollToItem(self.list.item(index))
        self.summary.setText(text(N_("{} of {} done, {} failed"), self.language).format(
            self.done_count, len(self.files), self.failed_count))

    def _progressed(self, fraction: float, left: object) -> None:
        self.progress.setValue(round(fraction * 1000))
        if left is not None:
            self.progress.setFormat(text(N_("About {} left"), self.language).format(duration(left)))

    def _finished(self) -> None:
        if self.task is not None:
            self.task.wait()
        self.task = None
        self.progress.setFormat("%p%")
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def statuses(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.task is not None:
            self.task.cancel()
            self.task.wait()
        self.engine.close()
        super().closeEvent(event)


def _plain(words: str):
    from restora.gui.errors import Problem

    return Problem(N_("Batch"), words, "params")

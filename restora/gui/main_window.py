"""The main window: opened photos, the tool picker and its generated form, Run/Cancel with progress, the
before/after view, Save, Undo and chaining. Every tool comes from the registry; none is named here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QListWidget, QMainWindow, QMessageBox, QProgressBar, QPushButton,
    QScrollArea, QSplitter, QVBoxLayout, QWidget,
)

from restora.gui.compare_widget import CompareView
from restora.gui.engine import ToolProcess
from restora.gui.errors import Problem, problem_for, problem_message
from restora.gui.files import STATUS_SECONDS, PhotoFiles
from restora.gui.form import ParamForm
from restora.gui.overlay import Overlay
from restora.gui.photos import Photo
from restora.gui.qimages import Pyramid, alpha_as_grey
from restora.gui.settings import GuiSettings
from restora.gui.texts import duration, text
from restora.gui.worker import Task
from restora.i18n import N_

log = logging.getLogger(__name__)


def _local_tools() -> Mapping[str, Any]:
    from restora.tools import TOOLS

    return TOOLS


class ToolBox(QComboBox):
    """The tool picker; it asks for the registry's current tools each time it opens."""

    def __init__(self, refresh: Callable[[], None]) -> None:
        super().__init__()
        self._refresh = refresh

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        self._refresh()
        super().showPopup()


class MainWindow(PhotoFiles, QMainWindow):
    def __init__(self, settings: GuiSettings | None = None, engine: ToolProcess | None = None,
                 tools: Callable[[], Mapping[str, Any]] | None = None, server: str | None = None) -> None:
        """``engine``: a tool process to share (tests); by default the window starts its own.
        ``tools``: where the tool list comes from (default: this machine's registry); with ``server`` the
        engine and tools are a remote server's (restora.gui.remote)."""
        super().__init__()
        self._tools = tools or _local_tools
        self.server = server
        self.settings = settings or GuiSettings()
        self.language = self.settings.language
        self.photos: list[Photo] = []
        self.task: Task | None = None
        self._owns_engine = engine is None
        self.engine = engine or ToolProcess()  # tools run in their own process, started at the first run
        self.opening: list[Task] = []  # photos being decoded, off the UI thread
        self.saving: Task | None = None
        self._saving_to: tuple[Photo, Any, Path] | None = None
        self.batch = None
        self.problem_box: QMessageBox | None = None
        self._running: tuple[Photo, str, Any] | None = None
        self.last_problem: Problem | None = None
        self._translated: list[tuple[Callable[[str], None], str]] = []
        self.overlay = Overlay()
        self.view = CompareView(self.overlay)
        self.form: ParamForm | None = None
        self.setWindowTitle(f"Restora — {server}" if server else "Restora")
        self.setAcceptDrops(True)
        self.resize(1200, 800)
        self._build_panel()
        self._build_menus()
        splitter = QSplitter()
        splitter.addWidget(self.panel)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.retranslate()
        self._show_photo()

    # --- building ---------------------------------------------------------------------------------
    def _t(self, setter: Callable[[str], None], words: str) -> None:
        """Set a text now and again whenever the language changes."""
        self._translated.append((setter, words))
        setter(text(words, self.language))

    def _build_panel(self) -> None:
        self.panel = QWidget()
        self.panel.setMinimumWidth(340)
        column = QVBoxLayout(self.panel)
        self.photos_label, self.tool_label = QLabel(), QLabel()
        self._t(self.photos_label.setText, N_("Photos"))
        self._t(self.tool_label.setText, N_("Tool"))
        self.photo_list = QListWidget()
        self.photo_list.setMaximumHeight(120)
        self.photo_list.currentRowChanged.connect(lambda row: self._show_photo())
        self.tool_box = ToolBox(self.refresh_tools)
        for tool in self._tools().values():
            self.tool_box.addItem(text(tool.title, self.language, tool), tool.name)
        self.tool_box.currentIndexChanged.connect(lambda index: self._build_form())
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.run_button, self.cancel_button = QPushButton(), QPushButton()
        self._t(self.run_button.setText, N_("Run"))
        self._t(self.cancel_button.setText, N_("Cancel"))
        self.run_button.clicked.connect(self.run_tool)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.time_left = QLabel()
        self.chain_label = QLabel()
        self.chain_label.setWordWrap(True)
        for widget in (self.photos_label, self.photo_list, self.tool_label, self.tool_box, self.form_area):
            column.addWidget(widget)
        column.addLayout(buttons)
        for widget in (self.progress, self.time_left, self.chain_label):
            column.addWidget(widget)

    def _action(self, menu, words: str, slot: Callable, shortcut=None, checkable: bool = False) -> QAction:
        action = QAction(self)
        self._t(action.setText, words)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("")
        self._t(file_menu.setTitle, N_("&File"))
        self._action(file_menu, N_("&Open photos…"), self.choose_photos, QKeySequence.StandardKey.Open)
        self._action(file_menu, N_("Open a &folder as a batch…"), self.choose_folder)
        self.recent_menu = file_menu.addMenu("")
        self._t(self.recent_menu.setTitle, N_("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self.save_action = self._action(file_menu, N_("&Save"), self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = self._action(file_menu, N_("Save &as…"), self.save_as, QKeySequence.StandardKey.SaveAs)
        self.copy_action = self._action(file_menu, N_("&Copy the result"), self.copy_result, QKeySequence.StandardKey.Copy)
        file_menu.addSeparator()
        self._action(file_menu, N_("Se&ttings…"), self.edit_settings)
        self._action(file_menu, N_("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        edit_menu = bar.addMenu("")
        self._t(edit_menu.setTitle, N_("&Edit"))
        self.undo_action = self._action(edit_menu, N_("&Undo the last result"), self.undo, QKeySequence.StandardKey.Undo)
        view_menu = bar.addMenu("")
        self._t(view_menu.setTitle, N_("&View"))
        self._action(view_menu, N_("&Fit"), self.view.fit, "F")
        self._action(view_menu, N_("&100 %"), self.view.actual_size, "1")
        self.side_action = self._action(view_menu, N_("&Side by side"), self.view.set_side_by_side, "S", True)
        self.mask_action = self._action(view_menu, N_("Show the &mask"), lambda on: self._show_photo(), "M", True)

    def retranslate(self) -> None:
        for setter, words in self._translated:
            setter(text(words, self.language))
        tools = self._tools()
        for index in range(self.tool_box.count()):
            tool = tools[self.tool_box.itemData(index)]
            self.tool_box.setItemText(index, text(tool.title, self.language, tool))
        self.view.labels = (text(N_("Before"), self.language), text(N_("After"), self.language))
        self._build_form()

    def _build_form(self) -> None:
        old = self.form.values() if self.form is not None and self.form.tool is self.tool else None
        self.overlay.set_mode("none")
        if self.form is not None and old is None:
            # Another tool: what was painted meant the old tool's kind (a red colour hint would read as a
            # "remove" mark, a green "keep" mark as a colour hint), so the layer starts empty.
            self.overlay.clear_hints()
        if self.form is not None:
            self.form.detach()
        self.form = ParamForm(self.tool, self.language, self.overlay)
        self.form.problem.connect(self.show_problem)
        for name, value in (old or {}).items():  # a language change keeps what the user set
            if value is not None:
                self.form.set_value(name, value)
        self.form_area.setWidget(self.form)

    # --- the current photo and tool ---------------------------------------------------------------
    @property
    def tool(self):
        if self.tool_box.currentData() not in self._tools():
            self.refresh_tools()
        return self._tools()[self.tool_box.currentData()]

    def refresh_tools(self) -> None:
        """Bring the tool list in line with the registry: a tool installed or removed while the window is
        open (an add-on package, load_entry_points) appears or goes without a restart."""
        tools = self._tools()
        listed = [self.tool_box.itemData(i) for i in range(self.tool_box.count())]
        for index in reversed(range(len(listed))):
            if listed[index] not in tools:
                self.tool_box.removeItem(index)
        for name, tool in tools.items():
            if name not in listed:
                self.tool_box.addItem(text(tool.title, self.language, tool), name)

    def select_tool(self, name: str) -> None:
        self.refresh_tools()
        index = self.tool_box.findData(name)
        if index < 0:
            raise KeyError(f"no tool named {name!r}")
        self.tool_box.setCurrentIndex(index)

    @property
    def photo(self) -> Photo | None:
        row = self.photo_list.currentRow()
        return self.photos[row] if 0 <= row < len(self.photos) else None

    def _show_photo(self) -> None:
        photo = self.photo
        has_result = photo is not None and bool(photo.steps)
        for action in (self.save_action, self.save_as_action, self.copy_action):
            action.setEnabled(photo is not None)
        self.undo_action.setEnabled(has_result)
        if photo is None:
            self.view.set_images(None, None)
            self.chain_label.setText(text(N_("Drop photos here or use File ▸ Open."), self.language))
            return
        if photo.view is None:
            photo.view = Pyramid.of(photo.original)
        for step in photo.steps:  # results added by a script rather than a run have no view yet
            if step.view is None:
                step.view = Pyramid.of(step.result)
        after = photo.current_view if has_result else None
        if has_result and self.mask_action.isChecked() and photo.current.mode == "RGBA":
            after = Pyramid.of(alpha_as_grey(photo.current))
        self.view.set_images(photo.before_view, after)
        if self.overlay.size != self.view.photo_size():
            self.overlay.reset(self.view.photo_size())
        self.chain_label.setText(photo.chain())

    # --- running ------------------------------------------------------------------------------------
    def run_tool(self) -> Task | None:
        """Validate the form and run the tool on the current photo (or its last result) off the UI thread."""
        photo = self.photo
        if photo is None:
            self.show_problem(Problem(N_("The tool cannot run"), N_("Open a photo first."), "params"))
            return None
        if self.task is not None:
            return None
        tool = self.tool
        try:
            params = tool.validate(self.form.values())
            settings = self.settings.restora_settings()
        except Exception as exc:
            self.show_problem(problem_for(exc))
            return None
        image = photo.current

        engine = self.engine

        def work(progress, note) -> Any:
            notices: list[tuple] = []  # (words, *values): what the engine says besides the result
            result, data = engine.run(tool, image, params, settings, progress,  # in the tool process
                                      lambda words, *values: notices.append((words, *values)))
            return result, Pyramid.of(result, data), notices  # the screen's copy too: the UI thread only draws it

        self.task = Task(work)
        self._running = (photo, tool.name, image)
        worker = self.task.worker
        # all emitted on the UI thread, by the task's timer
        worker.progressed.connect(self._progressed)
        worker.succeeded.connect(self._succeeded)
        worker.failed.connect(self.show_problem)
        worker.cancelled.connect(self._cancelled)
        worker.done.connect(self._finished)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.time_left.setText(text(N_("Working…"), self.language))
        self.task.start()
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progressed(self, fraction: float, left: object) -> None:
        self.progress.setValue(round(fraction * 1000))
        if left is not None:
            self.time_left.setText(text(N_("About {} left"), self.language).format(duration(left)))

    def _succeeded(self, outcome) -> None:
        photo, tool, image = self._running
        result, view, notices = outcome
        photo.add_result(tool, image, result, view)
        self.progress.setValue(1000)
        said = [text(N_("Done in {}"), self.language).format(duration(self.task.elapsed() if self.task else 0))]
        said += [text(words, self.language).format(*values) for words, *values in notices]
        self.statusBar().showMessage(" ".join(said), STATUS_SECONDS * len(said))  # time to read each
        if photo is self.photo:
            self._show_photo()

    def _cancelled(self) -> None:
        self.statusBar().showMessage(text(N_("Cancelled"), self.language), STATUS_SECONDS)

    def _finished(self) -> None:
        if self.task is not None:
            self.task.wait()
        self.task = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.time_left.setText("")

    def batch_engine(self):
        """An engine for a batch: a tool process of its own, or with a server the same remote engine (it holds
        no state between runs, so the batch and the window's runs do not wait on each other)."""
        return self.engine if self.server else ToolProcess()

    def undo(self) -> None:
        photo = self.photo
        if photo is not None and photo.undo() is not None:
            self._show_photo()
            self.statusBar().showMessage(text(N_("Back to the input: {}"), self.language).format(photo.chain()),
                                         STATUS_SECONDS)

    # --- settings and problems ------------------------------------------------------------------------
    def edit_settings(self) -> None:
        from restora.gui.settings_dialog import SettingsDialog

        if SettingsDialog(self.settings, self).exec():
            self.set_language(self.settings.language)

    def set_language(self, language: str) -> None:
        self.settings.language = language
        self.language = language
        self.retranslate()
        self._show_photo()

    def show_problem(self, problem: Problem | BaseException) -> None:
        """A dialog in plain words (never a traceback); opened photos and results are untouched."""
        if isinstance(problem, BaseException):
            problem = problem_for(problem)
        self.last_problem = problem
        if self.problem_box is not None:
            self.problem_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, text(problem.title, self.language),
                          problem_message(problem, self.language), QMessageBox.StandardButton.Ok, self)
        if problem.kind in ("bug", "crash"):
            box.setInformativeText(text(N_("Your opened photos are kept."), self.language))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        box.open()  # window-modal but not blocking: a long run's progress keeps updating behind it
        self.problem_box = box

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.task is not None:  # stop the tool at its next progress report before Qt tears down
            self.task.cancel()
            self.task.wait()
        for task in [*self.opening, *([self.saving] if self.saving else [])]:
            task.wait()  # a half-written file is never left: saving finishes first
        if self.batch is not None:
            self.batch.close()
        if self._owns_engine:
            self.engine.close()
        self.settings.sync()
        super().closeEvent(event)

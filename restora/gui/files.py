"""Photos in and results out, for the main window: open (menu, drop, command line, recent; decoded off the
UI thread), a folder as a batch, save / save as (written off the UI thread), copy to the clipboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from restora.gui.errors import Problem, problem_for, problem_message
from restora.gui.controls import IMAGE_FILTER
from restora.gui.photos import Photo, open_photo
from restora.gui.qimages import Pyramid
from restora.gui.texts import text
from restora.gui.worker import Task
from restora.i18n import N_

STATUS_SECONDS = 5000  # ms a status message stays


class PhotoFiles:
    """Mixed into :class:`restora.gui.main_window.MainWindow` (which has photos, settings, language)."""

    photos: list[Photo]
    opening: list[Task]
    saving: Task | None
    _saving_to: tuple[Photo, Any, Path] | None

    # --- opening ------------------------------------------------------------------------------------
    def choose_photos(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, text(N_("Open photos"), self.language), "",
                                                text(IMAGE_FILTER, self.language))
        self.open_paths(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, text(N_("Input folder"), self.language))
        if folder:
            self.open_batch(Path(folder))

    def open_paths(self, paths) -> Task | None:
        """Open photos, decoded off the UI thread, each as it is ready; each refused one is reported and the
        rest still open. A folder opens as a batch."""
        files = []
        for path in map(Path, paths):
            if path.is_dir():
                self.open_batch(path)
            else:
                files.append(path)
        if not files:
            return None

        def work(progress, note) -> list[str]:
            refused = []
            for index, path in enumerate(files):
                try:
                    image = open_photo(path)
                    note((path, image, Pyramid.of(image)))
                except Exception as exc:
                    refused.append(f"{path.name}: {problem_message(problem_for(exc))}")
                progress((index + 1) / len(files))
            return refused

        task = Task(work)
        task.worker.noted.connect(self._opened)
        task.worker.succeeded.connect(self._refused)
        task.worker.failed.connect(self.show_problem)
        task.worker.done.connect(self._opening_done)
        self.opening.append(task)
        task.start()
        return task

    def _opened(self, item: tuple) -> None:
        path, image, view = item
        self.photos.append(Photo(path, image, view=view))
        self.photo_list.addItem(path.name)
        self.settings.add_recent(path)
        self.photo_list.setCurrentRow(len(self.photos) - 1)

    def _refused(self, refused: list[str]) -> None:
        if refused:
            self.show_problem(Problem(N_("This photo cannot be opened"), "\n".join(refused), "image"))

    def _opening_done(self) -> None:
        for task in [t for t in self.opening if t.worker is self.sender()]:
            task.wait()
            self.opening.remove(task)

    def busy(self) -> bool:
        """Whether any work is under way off the UI thread (opening, a tool, saving); tests wait on this."""
        return bool(self.opening) or self.task is not None or self.saving is not None

    def open_batch(self, folder: Path):
        from restora.gui.batch import BatchDialog

        self.settings.add_recent(folder)
        self.batch = BatchDialog(self, folder)
        self.batch.show()
        return self.batch

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent:
            self.recent_menu.addAction(path).triggered.connect(lambda checked=False, p=path: self.open_paths([p]))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.open_paths([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    # --- keeping ----------------------------------------------------------------------------------------
    def save(self) -> None:
        photo = self.photo
        if photo is not None and photo.saved_to is not None:
            self.save_to(photo.saved_to, self.settings.store.value("quality", 92, type=int))
        else:
            self.save_as()

    def save_as(self) -> None:
        from restora.gui.save_dialog import SaveDialog

        photo = self.photo
        if photo is None:
            return
        quality = int(self.settings.store.value("quality", 92, type=int))
        dialog = SaveDialog(photo.path.with_name(photo.suggested_name()), self.language, quality, self)
        if dialog.exec():
            path, quality = dialog.chosen()
            self.settings.store.setValue("quality", quality)
            self.save_to(path, quality)

    def save_to(self, path: Path, quality: int = 92) -> Task | None:
        """Write the current result (or the photo) to ``path`` off the UI thread (a 12-MP PNG takes seconds);
        its extension picks the format. A failure is a dialog."""
        from restora.imaging.io import format_for_path, save_image

        photo = self.photo
        if photo is None or self.saving is not None:
            return None
        path = Path(path)
        try:
            format_for_path(path)  # an unknown extension is refused at once, not after a thread
        except Exception as exc:
            self.show_problem(problem_for(exc))
            return None
        image = photo.current
        self.saving = Task(lambda progress, note: save_image(image, path, quality))
        self._saving_to = (photo, image, path)
        self.saving.worker.succeeded.connect(self._saved)
        self.saving.worker.failed.connect(self.show_problem)
        self.saving.worker.done.connect(self._saving_done)
        self.saving.start()
        return self.saving

    def _saved(self, written) -> None:
        photo, image, path = self._saving_to
        if photo.current is image:  # still the picture on screen: Save writes here again
            photo.saved_to = path
        self.settings.add_recent(path)
        self.statusBar().showMessage(text(N_("Saved {}"), self.language).format(path), STATUS_SECONDS)

    def _saving_done(self) -> None:
        if self.saving is not None:
            self.saving.wait()
        self.saving = None

    def copy_result(self) -> None:
        photo = self.photo
        if photo is not None:
            view = photo.current_view or Pyramid.of(photo.current)
            # A copy that owns its pixels: the pyramid's QImages point into Python bytes, and the clipboard
            # keeps its image past the interpreter's end (Qt frees it in an exit handler), when releasing
            # those bytes would call into a finalised Python: a segfault at exit after a Copy.
            QGuiApplication.clipboard().setImage(view.full.copy())
            self.statusBar().showMessage(text(N_("Copied to the clipboard."), self.language), STATUS_SECONDS)

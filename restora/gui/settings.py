"""What the window remembers between runs (QSettings): threads, precision, models folder, language, recent
files; and the :class:`restora.config.Settings` a tool run gets from them."""

from __future__ import annotations

import locale
import os
from pathlib import Path

from PySide6.QtCore import QSettings

from restora.config import PRECISIONS, Settings, load_settings
from restora.i18n import LANGUAGES

RECENT_MAX = 10


def default_language() -> str:
    """zh for a Chinese locale, else en."""
    name = os.environ.get("LANG", "") or (locale.getlocale()[0] or "")
    return "zh" if name.lower().startswith("zh") else "en"


class GuiSettings:
    """Typed access to a QSettings store (the user's, or an .ini file that a test passes)."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings("Restora", "Restora")

    # --- the settings a tool run uses -------------------------------------------------------------
    @property
    def threads(self) -> int:
        return max(0, int(self.store.value("threads", 0, type=int)))

    @threads.setter
    def threads(self, value: int) -> None:
        self.store.setValue("threads", int(value))

    @property
    def precision(self) -> str:
        value = str(self.store.value("precision", "auto", type=str))
        return value if value in PRECISIONS else "auto"

    @precision.setter
    def precision(self, value: str) -> None:
        if value not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        self.store.setValue("precision", value)

    @property
    def models_dir(self) -> str:
        """Empty: the environment's (RESTORA_MODELS_DIR or ~/.restora/models)."""
        return str(self.store.value("models_dir", "", type=str))

    @models_dir.setter
    def models_dir(self, value: str) -> None:
        self.store.setValue("models_dir", str(value))

    @property
    def language(self) -> str:
        value = str(self.store.value("language", "", type=str))
        return value if value in LANGUAGES else default_language()

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self.store.setValue("language", value)

    # --- recent files ----------------------------------------------------------------------------
    @property
    def recent(self) -> list[str]:
        # one string with a line per path: QSettings turns a one-item list into a plain string on some backends
        text = str(self.store.value("recent", "", type=str))
        return [line for line in text.splitlines() if line]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        items = [path] + [item for item in self.recent if item != path]
        self.store.setValue("recent", "\n".join(items[:RECENT_MAX]))

    def sync(self) -> None:
        self.store.sync()

    def restora_settings(self) -> Settings:
        """The environment's settings (RESTORA_*, RESTORA_CONFIG) with this window's choices on top.

        :raises ConfigError: when the environment's settings are wrong.
        """
        changes: dict[str, object] = {"torch_threads": self.threads, "inference_precision": self.precision}
        if self.models_dir:
            changes["models_dir"] = Path(self.models_dir).expanduser()
        return load_settings().replace(**changes)

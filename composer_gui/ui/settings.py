"""What the app remembers between runs (QSettings, INI format): window layout, recent files, the
last folders used, the snap grid, the Continue panel's values and where and how often to autosave.

Tests pass their own QSettings (a file under tmp_path) so they never touch the user's settings;
they also point ``autosave/folder`` at tmp_path, so no autosave lands in the real data folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

ORGANIZATION = "Composer"
APPLICATION = "Composer"
MAX_RECENT = 10
AUTOSAVE_SECONDS = 30.0
"""How long after an edit the document is autosaved (``autosave/intervalSeconds`` overrides)."""


def default_qsettings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                     APPLICATION)


class Settings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings if qsettings is not None else default_qsettings()

    # ----- recent files -----------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.q.value("recentFiles", [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        files = [path, *(f for f in self.recent_files() if f != path)][:MAX_RECENT]
        self.q.setValue("recentFiles", files)

    def remove_recent(self, path: str | Path) -> None:
        self.q.setValue("recentFiles", [f for f in self.recent_files() if f != str(path)])

    def clear_recent(self) -> None:
        self.q.setValue("recentFiles", [])

    # ----- folders ----------------------------------------------------------------------------
    def last_folder(self, kind: str) -> str:
        """The folder last used to open ("open"), save ("save") or export ("export")."""
        folder = str(self.q.value(f"folders/{kind}", "") or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_last_folder(self, kind: str, path: str | Path) -> None:
        p = Path(path)
        self.q.setValue(f"folders/{kind}", str(p if p.is_dir() else p.parent))

    # ----- autosave ---------------------------------------------------------------------------
    def autosave_folder(self) -> Path:
        """Where autosaves go: ``autosave/folder`` if set, else "autosave" in the app's own data
        folder (QStandardPaths.AppDataLocation, e.g. ~/.local/share/Composer/Composer/autosave on
        Linux, %APPDATA%/Composer/Composer/autosave on Windows). Never created here."""
        folder = str(self.q.value("autosave/folder", "") or "")
        if folder:
            return Path(folder)
        data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return Path(data or Path.home() / ".composer") / "autosave"

    def autosave_interval_ms(self) -> int:
        seconds = self.get("autosave/intervalSeconds", AUTOSAVE_SECONDS, float)
        return max(100, round(1000 * min(float(seconds), 3600.0)))

    # ----- window ----------------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.q.value("window/geometry")
        state = self.q.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    # ----- small values -----------------------------------------------------------------------
    def get(self, key: str, default, kind=None):
        value = self.q.value(key, default)
        if kind is None or value is None:
            return value
        try:
            if kind is bool and isinstance(value, str):
                return value.lower() in ("1", "true", "yes")
            return kind(value)
        except (TypeError, ValueError):
            return default

    def set(self, key: str, value) -> None:
        self.q.setValue(key, value)

    def sync(self) -> None:
        self.q.sync()

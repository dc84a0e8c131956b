"""Unsaved edits on disk, so a crash or a kill loses nothing: one draft per database and environment
in the platformdirs state folder, written within two seconds of an edit, offered back at start."""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from configadmin.domain.records import Resolved

RESTORE_LINES = 15  # entries listed in the restore question
DRAFT_DELAY_MS = 1000  # a timer that is not restarted by later edits: on disk within two seconds


@dataclass(frozen=True)
class DraftEntry:
    base_version: int
    value: Any


@dataclass(frozen=True)
class Draft:
    database: str
    environment: str
    saved_at: datetime
    settings: dict[str, DraftEntry]


def drafts_folder() -> Path:
    return Path(platformdirs.user_state_dir("configadmin", appauthor=False)) / "drafts"


class DraftStore:
    """`database` is the display URL (no password): it names the draft and is written in it."""

    def __init__(self, database: str, environment: str, folder: Path | None = None) -> None:
        self.database = database
        self.environment = environment
        digest = hashlib.sha256(f"{database}\n{environment}".encode()).hexdigest()[:16]
        self.path = (folder or drafts_folder()) / f"{environment[:40]}-{digest}.json"

    def save(self, settings: dict[str, DraftEntry]) -> None:
        """Atomic: a kill during the write leaves the previous draft, never half a file."""
        if not settings:
            self.remove()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"database": self.database, "environment": self.environment,
                "saved_at": datetime.now(UTC).isoformat(),
                "settings": {k: {"base_version": e.base_version, "value": e.value} for k, e in settings.items()}}
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)

    def load(self) -> Draft | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Draft(data["database"], data["environment"], datetime.fromisoformat(data["saved_at"]),
                         {k: DraftEntry(int(v["base_version"]), v["value"]) for k, v in data["settings"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class RestoreDraftDialog:
    """Asks whether to bring back the edits found in a draft."""

    @classmethod
    def ask(cls, parent: QWidget | None, draft: Draft, summary: str) -> bool:
        box = QMessageBox(parent)
        box.setObjectName("restoreDraftDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the entries are data
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved edits found")
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        box.setText(f"You have unsaved edits to {draft.environment} from {when}. Restore them?")
        box.setInformativeText(summary)
        restore = box.addButton("Restore edits", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard them", QMessageBox.ButtonRole.DestructiveRole)
        box.exec()
        chosen = box.clickedButton() is restore
        box.deleteLater()
        return chosen


class DraftKeeper(QObject):
    """Keeps one window's draft: written shortly after edits, offered back once per environment."""

    writeFailed = Signal(str)

    def __init__(self, parent: QWidget, collect: Callable[[], dict[str, DraftEntry]]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._collect = collect
        self._store: DraftStore | None = None
        self._ready = False
        self._timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS, timeout=self.write_now)

    def bind(self, database: str, environment: str) -> None:
        """A new database or environment: nothing is written until its draft has been offered."""
        self.write_now()
        self._store = DraftStore(database, environment)
        self._ready = False

    @property
    def ready(self) -> bool:
        return self._ready

    def edited(self) -> None:
        if self._ready and not self._timer.isActive():
            self._timer.start()

    def write_now(self) -> None:
        self._timer.stop()
        if self._store is None or not self._ready:
            return
        try:
            self._store.save(self._collect())
        except OSError as exc:
            self.writeFailed.emit(f"Could not write the draft: {exc.strerror}")

    def stop(self) -> None:
        self._timer.stop()

    def offer(self, draft: Draft | None, current: Mapping[str, Resolved],
              restore: Callable[[str, Any], None]) -> bool:
        """Asks whether to restore the draft's edits (those that still differ from `current`);
        calls `restore(name, value)` for each when yes, removes the draft when no."""
        self._ready = True
        if draft is None or self._store is None:
            return False
        from configadmin.domain.resolution import thaw
        from configadmin.ui.dialogs.save_dialog import PendingChange, describe
        wanted = {n: e for n, e in draft.settings.items() if n in current and thaw(current[n].value) != e.value}
        if not wanted:
            self._store.remove()
            return False
        summary, lines = describe([PendingChange(n, current[n].value, e.value) for n, e in wanted.items()])
        shown = lines[:RESTORE_LINES] + ([f"… and {len(lines) - RESTORE_LINES:,} more"]
                                         if len(lines) > RESTORE_LINES else [])
        summary += "\n\n" + "\n".join(shown)  # the entries themselves, not only their counts
        moved = [n for n, e in wanted.items() if e.base_version != current[n].stored_version]
        if moved:
            summary += f"\n\n{', '.join(moved)} has been saved by someone since; review before saving."
        if not RestoreDraftDialog.ask(self._parent, draft, summary):
            self._store.remove()
            return False
        for name, entry in wanted.items():
            restore(name, entry.value)
        return True

"""What the analyst must notice (statusBanner) and where they are (status bar, readersLabel)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStatusBar, QVBoxLayout, QWidget

from configadmin.ui.icons import icon

if TYPE_CHECKING:
    from configadmin.domain.records import ReaderInfo

INFO, WARNING, ERROR, READ_ONLY = "info", "warning", "error", "read-only"
_STYLE = {
    INFO: ("info", "#e7f0fb", "#b6cdea"),
    WARNING: ("warning", "#fff4d6", "#ebcf8a"),
    ERROR: ("error", "#fde7e9", "#efb4b9"),
    READ_ONLY: ("lock", "#eef0f3", "#c9ced6"),
}
Action = tuple[str, Callable[[], None]]


class _Message(NamedTuple):
    kind: str
    text: str
    row: QWidget


class StatusBanner(QFrame):
    """Stacked one-line messages, each keyed so it can be replaced or cleared; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="statusBanner")
        self._messages: dict[str, _Message] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.hide()

    def show_message(self, key: str, kind: str, text: str, actions: Sequence[Action] = (),
                     closable: bool = False) -> None:
        self.clear(key)
        icon_name, background, border = _STYLE[kind]
        row = QFrame(self, objectName=f"banner_{key}")
        row.setStyleSheet(f"#banner_{key} {{ background: {background}; border: 1px solid {border};"
                          " border-radius: 4px; }")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(10, 6, 8, 6)
        layout.setSpacing(8)
        glyph = QLabel(row)
        glyph.setPixmap(icon(icon_name).pixmap(16, 16))
        label = QLabel(text, row, objectName="bannerText", wordWrap=True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(glyph, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(label, 1)
        for caption, slot in actions:
            button = QPushButton(caption, row)
            button.setObjectName(f"banner_{key}_{caption.split()[0].lower()}")
            button.clicked.connect(slot)
            layout.addWidget(button)
        if closable:
            close = QPushButton("Dismiss", row, flat=True)
            close.clicked.connect(lambda: self.clear(key))
            layout.addWidget(close)
        self._messages[key] = _Message(kind, text, row)
        self._layout.addWidget(row)
        self.show()

    def clear(self, key: str) -> None:
        message = self._messages.pop(key, None)
        if message is not None:
            message.row.hide()
            message.row.deleteLater()
        self.setVisible(bool(self._messages))

    def has(self, key: str) -> bool:
        return key in self._messages

    def kind(self, key: str) -> str | None:
        message = self._messages.get(key)
        return message.kind if message else None

    def text(self) -> str:
        """Every message shown, one per line (what the analyst reads)."""
        return "\n".join(m.text for m in self._messages.values())


class _Link(QLabel):
    """A status bar label that opens its panel when clicked."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class StatusInfo:
    """The permanent part of the status bar: database, user, environment, revision, readers."""

    def __init__(self, bar: QStatusBar) -> None:
        self.database = QLabel(objectName="databaseLabel")
        self.user = QLabel(objectName="userLabel")
        self.environment = QLabel(objectName="environmentLabel")
        self.revision = QLabel(objectName="revisionLabel")
        self.readers = _Link("readers: —", objectName="readersLabel")
        self.readers.setCursor(Qt.CursorShape.PointingHandCursor)
        for widget in (self.database, self.user, self.environment, self.revision, self.readers):
            widget.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(widget)

    def set_connection(self, database: str, user: str) -> None:
        """`database` must already be the display form (password masked)."""
        self.database.setText(f"Database: {database}")
        self.database.setToolTip(database)
        self.user.setText(f"User: {user}")

    def set_position(self, environment: str, revision: int, read_only: bool) -> None:
        self.environment.setText(f"Environment: {environment}" + ("  (read-only)" if read_only else ""))
        self.revision.setText(f"Revision {revision:,}")
        self.revision.setToolTip(
            f"Revision {revision:,} is the id of the newest audit entry of {environment}: every "
            "change raises it (the ids count across environments, so it can jump). A reader shows "
            "the revision it has loaded; it is up to date when its revision is at least this one.")

    def set_readers(self, readers: Sequence[ReaderInfo], environment: str, revision: int) -> None:
        text, tip = readers_summary(readers, environment, revision)
        self.readers.setText(text)
        self.readers.setToolTip(f"{tip}\n\nClick for every reader.")


def readers_summary(readers: Sequence[ReaderInfo], environment: str, revision: int) -> tuple[str, str]:
    """"loaded by N of M readers": M live readers of the environment, N of them on the revision."""
    live = [r for r in readers if r.environment == environment and not r.stale]
    if not live:
        return "no readers running", "No inference service has reported in the last minute."
    current = [r for r in live if r.revision >= revision]
    lines = [f"{r.reader_id}: revision {r.revision}" + ("" if r.revision >= revision else " (behind)")
             for r in live]
    return f"loaded by {len(current):,} of {len(live):,} readers", "\n".join(lines)

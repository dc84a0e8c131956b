"""What the analyst must notice (statusBanner) and where they are (status bar, readersLabel)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStatusBar, QVBoxLayout, QWidget

from configadmin.ui.icons import icon
from configadmin.domain.text import count, counted
from configadmin.ui import theme
from configadmin.ui.plain_text import TextDetailsDialog, elide, needs_details, plain, plain_tooltip

if TYPE_CHECKING:
    from configadmin.domain.records import ReaderInfo

INFO, WARNING, ERROR, READ_ONLY = "info", "warning", "error", "read-only"
_ICON = {INFO: "info", WARNING: "warning", ERROR: "error", READ_ONLY: "lock"}
Action = tuple[str, Callable[[], None]]


class _Message(NamedTuple):
    kind: str
    text: str
    row: QWidget
    earlier: int = 0  # info notices this one replaced (one info banner at a time, the newest)
    details: str | None = None


class StatusBanner(QFrame):
    """Stacked one-line messages, each keyed so it can be replaced or cleared; hidden when empty.
    Info notices share one row: the newest wins and says how many earlier ones it replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self._messages: dict[str, _Message] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.hide()

    def show_message(self, key: str, kind: str, text: str, actions: Sequence[Action] = (),
                     closable: bool = False, details: str | None = None) -> None:
        """`details`: what a "Details…" button shows (the driver's words behind a plain sentence)."""
        earlier = 0
        if kind == INFO:
            for other, message in list(self._messages.items()):
                if message.kind == INFO:
                    earlier += message.earlier + 1
                    self.clear(other)
        self.clear(key)
        row = QFrame(self)
        row.setObjectName(f"banner_{key}")
        row.setStyleSheet(theme.banner_sheet(theme.TONES[kind], f"#banner_{key}", padding="0"))
        layout = QHBoxLayout(row)
        layout.setContentsMargins(10, 6, 8, 6)
        layout.setSpacing(8)
        glyph = QLabel(row)
        glyph.setPixmap(icon(_ICON[kind]).pixmap(16, 16))
        label = plain(QLabel(row))
        label.setObjectName("bannerText")
        label.setWordWrap(True)
        label.setText(elide(text) + (f"  ({counted(earlier, 'earlier notice')})" if earlier else ""))
        # cut before Qt lays it out: a 2 MB reason costs nothing
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(glyph, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(label, 1)
        if details or needs_details(text):
            full = f"{text}\n\n{details}" if details else text
            button = QPushButton("Details…", row)
            button.setObjectName(f"banner_{key}_details")
            button.clicked.connect(lambda: TextDetailsDialog.show_text(self.window(), "Details", full))
            layout.addWidget(button)
        for caption, slot in actions:
            button = QPushButton(caption, row)
            button.setObjectName(f"banner_{key}_{caption.split()[0].lower()}")
            button.clicked.connect(slot)
            layout.addWidget(button)
        if closable:
            close = QPushButton("Dismiss", row, flat=True)
            close.clicked.connect(lambda: self.clear(key))
            layout.addWidget(close)
        self._messages[key] = _Message(kind, text, row, earlier, details)
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

    def details(self, key: str) -> str | None:
        """What the message's Details… button shows beyond its sentence (None: nothing more)."""
        message = self._messages.get(key)
        return message.details if message else None


class _Link(QLabel):
    """A status bar label that opens its panel when clicked."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class StatusInfo:
    """The status bar: database and user on the left (a passing message takes their place, so it is
    not cut), environment, revision and readers always on the right."""

    LEFT = 2  # database and user: the permanent widgets are numbered after them

    def __init__(self, bar: QStatusBar) -> None:
        self.database, self.user, self.environment, self.revision = QLabel(), QLabel(), QLabel(), QLabel()
        self.readers = _Link("readers: —")
        for label, name in ((self.database, "databaseLabel"), (self.user, "userLabel"),
                            (self.environment, "environmentLabel"), (self.revision, "revisionLabel"),
                            (self.readers, "readersLabel")):
            label.setObjectName(name)
        self.readers.setCursor(Qt.CursorShape.PointingHandCursor)
        for widget in (self.database, self.user, self.environment, self.revision, self.readers):
            plain(widget)
            widget.setContentsMargins(6, 0, 6, 0)
            if widget is not self.readers:  # names come from data: never rich text
                widget.setTextFormat(Qt.TextFormat.PlainText)
            if widget in (self.database, self.user):
                bar.addWidget(widget)  # hidden while a message shows: the message gets the width
            else:
                bar.addPermanentWidget(widget)

    def set_connection(self, database: str, user: str, database_user: str | None = None) -> None:
        """`database` must already be the display form (password masked); `database_user` is the
        login the database records, shown when it is not the name the analyst gave."""
        self.database.setText(f"Database: {database}")
        self.database.setToolTip(plain_tooltip(database))
        role = "" if database_user in (None, user) else f"  ·  database role: {elide(database_user or '', 64)}"
        self.user.setText(f"User: {elide(user, 150)}{role}")

    def set_position(self, environment: str, revision: int, read_only: bool) -> None:
        self.environment.setText(f"Environment: {elide(environment, 64)}"
                                 + ("  (read-only)" if read_only else ""))
        self.revision.setText(f"Revision {count(revision)}")
        self.revision.setToolTip(
            f"Revision {count(revision)} is the id of the newest audit entry of {elide(environment, 64)}: "
            "every change raises it (the ids count across environments, so it can jump). A reader shows "
            "the revision it has loaded; it is up to date when its revision is at least this one.")

    def set_readers(self, readers: Sequence[ReaderInfo], environment: str, revision: int) -> None:
        text, tip = readers_summary(readers, environment, revision)
        self.readers.setText(text)
        self.readers.setToolTip(plain_tooltip(f"{tip}\n\nClick for every reader."))


def readers_summary(readers: Sequence[ReaderInfo], environment: str, revision: int) -> tuple[str, str]:
    """"loaded by N of M readers": M live readers of the environment, N of them on the revision."""
    live = [r for r in readers if r.environment == environment and not r.stale]
    if not live:
        return "no readers running", "No inference service has reported in the last minute."
    current = [r for r in live if r.revision >= revision]
    lines = [f"{r.reader_id}: revision {count(r.revision)}" + ("" if r.revision >= revision else " (behind)")
             for r in live]
    return f"loaded by {count(len(current))} of {counted(len(live), 'reader')}", "\n".join(lines)

"""Text that comes from data (reasons, actors, names, errors) shown by Qt: never as rich text, never
so long that laying it out freezes the window, and always whole on demand.

QLabel, QMessageBox and tooltips guess "rich text" from the text itself (Qt::mightBeRichText), so a
reason `<h1>SECURITY ALERT</h1><a href=…>` would render as a heading and a link, and 1,000 nested
tables can crash or hang the painter; hence PlainText on every label that can show data, tooltips
escaped, and long texts cut *before* they reach a widget.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget,
)

BANNER_LIMIT = 300  # characters a banner shows; the rest is one click away
TOOLTIP_LIMIT = 2000
DETAILS_LIMIT = 4_000_000  # what the details view holds: a 2 MB reason whole, not an unbounded one
DETAILS_LINE = 1000  # Qt lays out one 2 MB line in ~2.5 s, the same text in 1,000-character lines in ~50 ms


def elide(text: str, limit: int = BANNER_LIMIT) -> str:
    """At most `limit` characters on one paragraph, with … when cut. Slices before it looks at the
    text, so a 2 MB reason costs no more than a short one."""
    head = text[: limit * 2 + 1]
    flat = " ".join(head.split())
    if len(flat) <= limit and len(head) == len(text):
        return flat
    return flat[: limit - 1].rstrip() + "…"


def needs_details(text: str, limit: int = BANNER_LIMIT) -> bool:
    """Whether elide() loses something worth a "Details…" button (cut, or lines joined)."""
    return len(text) > limit or "\n" in text.strip()


def broken_lines(text: str, width: int = DETAILS_LINE) -> str:
    """Lines longer than `width` broken every `width` characters: nothing is lost, and Qt does not
    spend seconds laying out one enormous line."""
    if len(text) <= width:
        return text
    lines = text.split("\n")
    if all(len(line) <= width for line in lines):
        return text
    return "\n".join(line[i:i + width] for line in lines for i in range(0, max(len(line), 1), width))


def plain(label: QLabel) -> QLabel:
    """The label shows its text literally, whatever it looks like; returns it for chaining."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    return label


def plain_tooltip(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    """A tooltip that shows `text` literally: Qt renders a tooltip as rich text when it looks like
    HTML, so the text is escaped (and cut) and given as rich text that says exactly that."""
    if not text:
        return ""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    if "<" not in cut:  # without a tag Qt shows it as plain text anyway (Qt::mightBeRichText)
        return cut
    return "<qt>" + html.escape(cut).replace("\n", "<br>") + "</qt>"


def plain_message_box(box: QMessageBox) -> QMessageBox:
    """Main and informative text of a message box as plain text, no links opened."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    for label in box.findChildren(QLabel):
        plain(label)
    return box


class TextDetailsDialog(QDialog):
    """The whole of a long text, read-only and selectable (no tooltip, no rich text)."""

    def __init__(self, parent: QWidget | None, title: str, text: str) -> None:
        super().__init__(parent)
        self.setObjectName("textDetailsDialog")
        self.setWindowTitle(title)
        self.resize(720, 420)
        self.view = QPlainTextEdit(self)
        self.view.setObjectName("textDetails")
        self.view.setReadOnly(True)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
                          if len(text) < 10_000 else QFont())
        shown = text if len(text) <= DETAILS_LIMIT else (
            text[:DETAILS_LIMIT] + f"\n… ({len(text) - DETAILS_LIMIT:,} more characters not shown)")
        self.view.setPlainText(broken_lines(shown))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)

    @classmethod
    def show_text(cls, parent: QWidget | None, title: str, text: str) -> TextDetailsDialog:
        """Opens (window-modal, not blocking) and returns the dialog; it deletes itself on close."""
        dialog = cls(parent, title, text)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

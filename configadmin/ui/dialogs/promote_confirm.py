"""The second step of a promote: what it writes in the target and what does not fit there, asked
once more before anything is written (a promote to production is never one click)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from configadmin.service.transfer import PromotePreview

SHOWN_LINES = 200


def promote_question(preview: PromotePreview) -> tuple[str, str, str]:
    """(question, what it changes and the warnings, the entries) as the confirmation shows them."""
    question = (f"Promote {preview.setting.name} from {preview.from_env} to {preview.to_env}? "
                f"It takes effect in {preview.to_env} at once.")
    lines = [f"Changes in {preview.to_env}: {preview.diff.summary}"]
    lines += [f"⚠ {text}" for text in preview.warnings]
    entries = []
    for e in preview.diff.entries[:SHOWN_LINES]:
        name = e.path or "(value)"
        entries.append(f"{e.kind}: {name}: {_short(e.old)} → {_short(e.new)}")
    if len(preview.diff) > SHOWN_LINES:
        entries.append(f"… and {len(preview.diff) - SHOWN_LINES:,} more")
    return question, "\n".join(lines), "\n".join(entries)


def _short(value: object) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class PromoteConfirm:
    @classmethod
    def ask(cls, parent: QWidget | None, preview: PromotePreview) -> bool:
        """True when the analyst confirms; Cancel is the default button."""
        question, informative, entries = promote_question(preview)
        box = QMessageBox(parent)
        box.setObjectName("promoteConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setIcon(QMessageBox.Icon.Warning if preview.warnings else QMessageBox.Icon.Question)
        box.setWindowTitle(f"Promote to {preview.to_env}")
        box.setText(question)
        box.setInformativeText(informative)
        box.setDetailedText(entries)
        promote = box.addButton(f"Promote to {preview.to_env}", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        chosen = box.clickedButton() is promote
        box.deleteLater()
        return chosen

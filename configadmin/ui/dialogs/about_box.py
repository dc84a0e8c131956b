"""Help › About: what is running and where its files are, for a support question: the version, the
database (never the password), the environment, the licence, and where logs and drafts go."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from configadmin.ui.plain_text import plain

LOGS = "standard error of the configadmin process (warnings and errors; no log file is written)"


@dataclass(frozen=True)
class AboutFacts:
    version: str
    database: str  # the display form: the password masked
    environment: str
    user: str
    drafts: str
    licence: str


def licence() -> str:
    try:
        found = metadata.metadata("configadmin")
        declared = found["License"] if "License" in found else None
    except metadata.PackageNotFoundError:
        declared = None
    return declared or "none declared in the package (an internal tool: ask its owners)"


class AboutBox(QDialog):
    def __init__(self, facts: AboutFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutBox")
        self.setWindowTitle("About configadmin")
        heading = QLabel(f"configadmin {facts.version}")
        heading.setObjectName("aboutHeading")
        heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        intro = QLabel("Edits the ML configuration that inference services read from the database; "
                       "every change is audited.")
        intro.setWordWrap(True)
        form = QFormLayout()
        for caption, text, name in (("Version", facts.version, "aboutVersion"),
                                    ("Database", facts.database, "aboutDatabase"),
                                    ("Environment", facts.environment, "aboutEnvironment"),
                                    ("User", facts.user, "aboutUser"),
                                    ("Licence", facts.licence, "aboutLicence"),
                                    ("Logs", LOGS, "aboutLogs"),
                                    ("Drafts", facts.drafts, "aboutDrafts")):
            value = plain(QLabel(text))
            value.setObjectName(name)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{caption}:", value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def text(self) -> str:
        return "\n".join(label.text() for label in self.findChildren(QLabel))

"""One-click reset to the file defaults on SQLite and PostgreSQL: the confirmation shows what is
lost, confirming resets and audits, cancelling changes nothing. The dialog's `ask` is patched."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService, Source
from configadmin.domain.diff import Diff, EntryDiff, Kind
from configadmin.domain.previews import ResetStep
from configadmin.ui.window.window_actions import ask_and_reset
from configadmin.ui.dialogs.messages import Messages
from configadmin.ui.dialogs.reset_dialog import ResetDialog
from configadmin.ui.worker import Runner

pytestmark = pytest.mark.gui
WAIT = 20_000


@pytest.fixture
def runner(qtbot: QtBot, service: ConfigurationService) -> Iterator[Runner]:
    """Torn down before the service: no job outlives the database it reads."""
    runner = Runner()
    yield runner
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)


class Asked:
    """Stands in for the user at the confirmation: records what was shown, answers `answer`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: bool) -> None:
        self.answer = answer
        self.shown: list[tuple[str, dict[str, Diff]]] = []
        self.messages: list[tuple[str, str]] = []
        monkeypatch.setattr(ResetDialog, "ask", classmethod(self._ask))
        monkeypatch.setattr(Messages, "info", classmethod(lambda _c, _p, t: self.messages.append(("info", t))))
        monkeypatch.setattr(Messages, "error", classmethod(lambda _c, _p, t: self.messages.append(("error", t))))

    def _ask(self, _cls: Any, _parent: Any, title: str, steps: list[ResetStep]) -> bool:
        self.shown.append((title, {s.setting: s.diff for s in steps}))
        return self.answer


def edited_mapping(service: ConfigurationService) -> dict[str, str]:
    mapping = dict(service.get_ml_feature_mapping())
    mapping["revenue"] = "net_revenue"
    mapping["nps"] = "nps_last"
    return mapping


def test_reset_restores_file_default_and_audits_it(
        qtbot: QtBot, runner: Runner, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    default_mapping = dict(service.get_ml_feature_mapping())
    mapping = edited_mapping(service)
    service.set("ml", "feature_mapping", mapping)
    service.set("ml", "model_input_size", 42)
    asked = Asked(monkeypatch, answer=True)
    done: list[bool] = []

    ask_and_reset(None, runner, service, "ml", None, lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT)

    (title, diffs), = asked.shown
    assert title == "Reset the whole category ml (2 stored settings) to the file defaults in default"
    assert set(diffs["ml.feature_mapping"].entries) == {  # now → after the reset
        EntryDiff(Kind.CHANGED, "revenue", "net_revenue", "total_revenue"),
        EntryDiff(Kind.REMOVED, "nps", "nps_last", None)}
    assert diffs["ml.model_input_size"].entries == (EntryDiff(Kind.CHANGED, "", 42, 15),)
    for key, value in (("feature_mapping", default_mapping), ("model_input_size", 15)):
        resolved = service.resolve("ml", key)
        assert resolved.source is Source.FILE and resolved.value == value
    audit = {e.key: e for e in service.history("ml", action="reset")}
    assert audit["feature_mapping"].old_value == mapping and audit["feature_mapping"].new_value is None
    assert audit["model_input_size"].old_value == 42 and audit["model_input_size"].actor == "tester"
    assert asked.messages == []


def test_cancelling_the_reset_changes_nothing(
        qtbot: QtBot, runner: Runner, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = edited_mapping(service)
    version = service.set("ml", "feature_mapping", mapping)
    asked = Asked(monkeypatch, answer=False)
    done: list[bool] = []

    ask_and_reset(None, runner, service, "ml", None, lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(asked.shown), timeout=WAIT)
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)

    resolved = service.resolve("ml", "feature_mapping")
    assert (resolved.source, resolved.version, dict(resolved.value)) == (Source.DATABASE, version, mapping)
    assert [e.action for e in service.history("ml")] == ["set"]
    assert done == []


def test_reset_of_one_setting_leaves_the_others_in_the_database(
        qtbot: QtBot, runner: Runner, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    service.set("ml", "feature_mapping", edited_mapping(service))
    service.set("ml", "model_input_size", 42)
    asked = Asked(monkeypatch, answer=True)
    done: list[bool] = []

    ask_and_reset(None, runner, service, "ml", "model_input_size", lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT)

    assert list(asked.shown[0][1]) == ["ml.model_input_size"]
    assert service.resolve("ml", "model_input_size").source is Source.FILE
    assert service.resolve("ml", "feature_mapping").source is Source.DATABASE
    latest = service.history("ml", limit=1)[0]
    assert (latest.key, latest.action, latest.old_value) == ("model_input_size", "reset", 42)


def test_nothing_to_reset_is_said_and_nothing_asked(
        qtbot: QtBot, runner: Runner, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = Asked(monkeypatch, answer=True)

    ask_and_reset(None, runner, service, "ml", None, lambda _: None)
    qtbot.waitUntil(lambda: bool(asked.messages), timeout=WAIT)

    assert asked.shown == []
    assert asked.messages[0][0] == "info" and "nothing to reset" in asked.messages[0][1]
    assert service.history() == []


def test_a_value_saved_elsewhere_while_asking_is_not_reset(
        qtbot: QtBot, runner: Runner, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    service.set("ml", "model_input_size", 42)
    asked = Asked(monkeypatch, answer=True)

    def meanwhile(_cls: Any, _parent: Any, _title: str, _steps: list[ResetStep]) -> bool:
        service.set("ml", "model_input_size", 43, updated_by="bob")
        return True

    monkeypatch.setattr(ResetDialog, "ask", classmethod(meanwhile))
    ask_and_reset(None, runner, service, "ml", None, lambda _: None)
    qtbot.waitUntil(lambda: bool(asked.messages), timeout=WAIT)

    kind, text = asked.messages[0]
    assert kind == "error" and "changed elsewhere" in text and "bob" in text
    assert service.resolve("ml", "model_input_size").value == 43


def test_the_dialog_shows_now_and_after_with_entries_that_come_back(
        qtbot: QtBot, service: ConfigurationService) -> None:
    """The analyst's case of issue 15: a stored mapping with fewer entries than the file. The
    entries the reset brings back say so; the one only the database had is "removed"."""
    service.set("ml", "feature_mapping", {"revenue": "net_revenue", "nps": "nps_last"})
    steps = service.reset_preview("ml", "feature_mapping")
    dialog = ResetDialog("Reset ml.feature_mapping to the file default in default", steps)
    qtbot.addWidget(dialog)
    model = dialog.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Change", "Setting", "Entry", "Now (database)", "After reset"]
    rows = {model.index(r, 2).data(): (model.index(r, 0).data(), model.index(r, 3).data(),
                                       model.index(r, 4).data()) for r in range(model.rowCount())}
    assert rows["revenue"] == ("changes", "net_revenue", "total_revenue")
    assert rows["nps"] == ("removed", "nps_last", "—")
    assert rows["tier"] == ("comes back", "—", "loyalty_tier")
    summary = dialog.findChild(QLabel, "resetSummary").text()
    assert summary == ("ml.feature_mapping: 1 entry changes, 14 entries come back, 1 entry is removed "
                       "(the file default applies)")
    assert "lost" not in dialog.findChild(QLabel, "resetIntro").text()
    assert dialog.confirm.text() == "Reset this setting"


def test_the_toolbar_reset_offers_this_setting_and_the_whole_category(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    from window_support import close_window, show_window
    service.set("ml", "feature_mapping", {"revenue": "net_revenue"})
    service.set("ml", "model_input_size", 42)
    asked = Asked(monkeypatch, answer=False)
    window = show_window(qtbot, service)
    try:
        button = window.findChild(QToolButton, "resetButton")
        labels = [a.text() for a in button.menu().actions()]
        assert labels == ["Reset ml.feature_mapping to its default…",
                          "Reset the whole category ml…"]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # the button: the selected setting only
        qtbot.waitUntil(lambda: len(asked.shown) == 1, timeout=WAIT)
        assert list(asked.shown[0][1]) == ["ml.feature_mapping"]
        button.menu().actions()[1].trigger()
        qtbot.waitUntil(lambda: len(asked.shown) == 2, timeout=WAIT)
        assert set(asked.shown[1][1]) == {"ml.feature_mapping", "ml.model_input_size"}
    finally:
        close_window(qtbot, window)

"""Compare a setting across environments and promote it, on SQLite and PostgreSQL: the target
environment gets the value (audited as promote there); every other environment stays as it was."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService, Source
from configadmin.domain.records import SettingKey
from configadmin.service.transfer import PromotePreview
from configadmin.ui.dialogs.promote_confirm import PromoteConfirm, promote_question
from configadmin.ui.panels.environment_compare import EnvironmentCompareDialog
from configadmin.ui.worker import Runner

pytestmark = pytest.mark.gui
WAIT = 20_000
MAPPING = SettingKey("ml", "feature_mapping")


@pytest.fixture
def runner(qtbot: QtBot, service: ConfigurationService) -> Iterator[Runner]:
    """Torn down before the service: no job outlives the database it reads."""
    runner = Runner()
    yield runner
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)


def open_dialog(qtbot: QtBot, runner: Runner, service: ConfigurationService) -> EnvironmentCompareDialog:
    dialog = EnvironmentCompareDialog(runner, service, "ml.feature_mapping")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.from_combo.count() > 0, timeout=WAIT)
    return dialog


def confirm_with(monkeypatch: pytest.MonkeyPatch, answer: bool) -> list[PromotePreview]:
    """Stands in for the analyst at the second step; returns the previews it was shown."""
    shown: list[PromotePreview] = []

    def ask(_cls: object, _parent: object, preview: PromotePreview) -> bool:
        shown.append(preview)
        return answer

    monkeypatch.setattr(PromoteConfirm, "ask", classmethod(ask))
    return shown


def pick(qtbot: QtBot, dialog: EnvironmentCompareDialog, source: str, target: str) -> None:
    dialog.from_combo.setCurrentText(source)
    dialog.to_combo.setCurrentText(target)
    qtbot.waitUntil(lambda: dialog.promote_button.text() == f"Promote {source} → {target}", timeout=WAIT)


def test_promote_writes_only_the_target_environment(
        qtbot: QtBot, runner: Runner, service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    confirmed = confirm_with(monkeypatch, True)
    staging = {**service.get_ml_feature_mapping(), "revenue": "net_revenue", "nps": "nps_last"}
    dev = {**service.get_ml_feature_mapping(), "tier": "tier_v2"}
    staging_version = service.set("ml", "feature_mapping", staging, environment="staging")
    dev_version = service.set("ml", "feature_mapping", dev, environment="dev")
    dialog = open_dialog(qtbot, runner, service)

    pick(qtbot, dialog, "staging", "production")

    shown = {(dialog.model.index(r, 0).data(), dialog.model.index(r, 1).data())
             for r in range(dialog.model.rowCount())}
    assert shown == {("changed", "revenue"), ("added", "nps")}
    assert '"net_revenue"' in dialog.findChild(QPlainTextEdit, "compareFromValue").toPlainText()
    assert '"total_revenue"' in dialog.findChild(QPlainTextEdit, "compareToValue").toPlainText()

    dialog.reason.setText("release 42")
    dialog.promote_button.click()
    qtbot.waitUntil(lambda: dialog.promoted, timeout=WAIT)
    qtbot.waitUntil(lambda: "nothing to promote" in dialog.summary.text(), timeout=WAIT)

    production = service.stored_resolution(MAPPING, "production")
    assert (production.source, dict(production.value)) == (Source.DATABASE, staging)
    assert service.stored_resolution(MAPPING, "staging").version == staging_version
    assert dict(service.stored_resolution(MAPPING, "dev").value) == dev
    assert service.stored_resolution(MAPPING, "dev").version == dev_version
    assert service.resolve("ml", "feature_mapping").source is Source.FILE  # "default" untouched
    entry, = service.history(environment="production")
    assert (entry.action, entry.actor, entry.reason, entry.new_value) == ("promote", "tester", "release 42", staging)
    assert "Promoted to production" in dialog.status.text()
    assert not dialog.promote_button.isEnabled()
    assert len(confirmed) == 1 and dialog.reason.text() == ""  # asked once; the reason was used up


def test_same_environment_on_both_sides_offers_nothing_to_promote(
        qtbot: QtBot, runner: Runner, service: ConfigurationService) -> None:
    dialog = open_dialog(qtbot, runner, service)

    dialog.to_combo.setCurrentText(dialog.from_combo.currentText())

    assert "two different environments" in dialog.summary.text()
    assert not dialog.promote_button.isEnabled()


def test_equal_values_offer_nothing_to_promote(
        qtbot: QtBot, runner: Runner, service: ConfigurationService) -> None:
    dialog = open_dialog(qtbot, runner, service)

    pick(qtbot, dialog, "dev", "staging")  # both fall back to the same file default

    assert "nothing to promote" in dialog.summary.text()
    assert not dialog.promote_button.isEnabled()
    assert service.history() == []


@pytest.mark.parametrize(("here", "source", "target"), [
    ("dev", "dev", "staging"), ("staging", "staging", "production"),
    ("production", "staging", "production"), ("default", "default", "dev")])
def test_promote_offers_the_next_environment_up(
        qtbot: QtBot, runner: Runner, service: ConfigurationService, here: str, source: str,
        target: str) -> None:
    service.environment = here
    dialog = open_dialog(qtbot, runner, service)
    assert (dialog.from_combo.currentText(), dialog.to_combo.currentText()) == (source, target)


def test_promote_warns_against_the_targets_input_size_and_asks_before_writing(
        qtbot: QtBot, runner: Runner, service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 item 4: staging maps 17 features; production's model takes 15."""
    mapping = {**service.get_ml_feature_mapping(), "nps": "nps_last", "age": "age_years"}
    service.set("ml", "feature_mapping", mapping, environment="staging")
    service.set("ml", "model_input_size", 17, environment="staging")
    declined = confirm_with(monkeypatch, False)
    service.environment = "staging"
    dialog = open_dialog(qtbot, runner, service)
    qtbot.waitUntil(lambda: dialog.promote_button.isEnabled(), timeout=WAIT)

    warning = "in production: model input size 15 is smaller than the 17 mapped features"
    assert dialog.findChild(QLabel, "promoteWarnings").text() == f"⚠ {warning}"
    dialog.reason.setText("release 43")
    dialog.promote_button.click()
    assert len(declined) == 1 and declined[0].warnings == (warning,)
    question, informative, entries = promote_question(declined[0])
    assert "from staging to production" in question and warning in informative
    assert "added: nps: — → nps_last" in entries
    assert service.history(environment="production") == []  # declined: nothing written
    assert dialog.reason.text() == "release 43"  # kept for a second try

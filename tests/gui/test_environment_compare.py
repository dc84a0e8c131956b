"""Compare a setting across environments and promote it, on SQLite and PostgreSQL: the target
environment gets the value (audited as promote there); every other environment stays as it was."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService, Source
from configadmin.domain.records import SettingKey
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


def pick(qtbot: QtBot, dialog: EnvironmentCompareDialog, source: str, target: str) -> None:
    dialog.from_combo.setCurrentText(source)
    dialog.to_combo.setCurrentText(target)
    qtbot.waitUntil(lambda: dialog.promote_button.text() == f"Promote {source} → {target}", timeout=WAIT)


def test_promote_writes_only_the_target_environment(
        qtbot: QtBot, runner: Runner, service: ConfigurationService) -> None:
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

"""The window's controller without a window: it loads, retries, ignores news that is not news, and
says what to render through its signals (on a real SQLite database)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService
from configadmin.ui.window.controller import WindowController

pytestmark = pytest.mark.gui


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as svc:
        yield svc


@pytest.fixture
def controller(qtbot: QtBot, service: ConfigurationService) -> Iterator[WindowController]:
    ctl = WindowController()
    ctl.attach(service)
    yield ctl
    ctl.close()
    qtbot.waitUntil(lambda: not ctl.runner.busy, timeout=10000)


def test_a_load_emits_the_snapshot_and_records_its_revision(
        qtbot: QtBot, controller: WindowController, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 12, updated_by="alice")
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000) as loaded:
        controller.reload()
    snap, drafts = loaded.args
    assert drafts == [] and snap.environment == "default"  # no window left a draft
    assert controller.state.revision == snap.revision > 0
    assert [r.value for r in snap.resolved if r.name == "ml.model_input_size"] == [12]


def test_reloads_asked_for_during_a_load_run_once_after_it(
        qtbot: QtBot, controller: WindowController) -> None:
    loads: list[object] = []
    controller.snapshotLoaded.connect(lambda snap, draft: loads.append(snap))
    for _ in range(5):
        controller.reload()
    qtbot.waitUntil(lambda: len(loads) == 2, timeout=10000)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10000)
    assert len(loads) == 2


def test_a_change_notice_for_what_is_shown_does_not_reload(
        qtbot: QtBot, controller: WindowController) -> None:
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000):
        controller.reload()
    controller._external_change("default", controller.state.revision)
    controller._external_change("staging", 10_000)  # another environment
    assert not controller.change_timer.isActive()
    controller._external_change("default", (controller.state.revision or 0) + 1)
    assert controller.change_timer.isActive()


def test_a_failed_load_says_why_and_retries_with_backoff(
        qtbot: QtBot, controller: WindowController, service: ConfigurationService) -> None:
    path = Path(str(service.url.database))
    service.engine.dispose()
    path.rename(path.with_name(path.name + ".away"))
    path.mkdir()
    try:
        with qtbot.waitSignal(controller.loadFailed, timeout=10000) as failed:
            controller.reload()
        text, seconds = failed.args
        assert seconds == 1 and text and "Traceback" not in text and "\n" not in text
        assert controller.retry_timer.isActive() and controller.retry_ms == 2000
    finally:
        path.rmdir()
        path.with_name(path.name + ".away").rename(path)
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000):
        pass  # the retry timer loads by itself
    assert controller.retry_ms == 1000

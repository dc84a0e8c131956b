"""The one worker helper every database call from the window goes through."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from configadmin.ui.worker import Runner

pytestmark = pytest.mark.gui


def test_the_job_runs_off_the_gui_thread_and_its_result_arrives_on_it(qtbot: QtBot) -> None:
    runner = Runner()
    seen: dict[str, object] = {}
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: busy is False):
        runner.run(lambda: threading.current_thread() is threading.main_thread(),
                   on_success=lambda on_main: seen.update(job_on_main=on_main,
                                                          callback_on_main=threading.current_thread()
                                                          is threading.main_thread()))
    assert seen == {"job_on_main": False, "callback_on_main": True}
    assert not runner.busy


def test_an_error_in_the_job_reaches_on_failure(qtbot: QtBot) -> None:
    runner = Runner()
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: busy is False):
        runner.run(lambda: 1 / 0, on_failure=errors.append)
    assert isinstance(errors[0], ZeroDivisionError)


def test_a_job_that_finishes_after_its_runner_is_gone_is_harmless(qtbot: QtBot) -> None:
    parent = QObject()
    runner = Runner(parent)
    release = threading.Event()
    runner.run(release.wait)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not _alive(runner))
    release.set()
    qtbot.wait(100)  # the finished signal is delivered (and dropped) without an error


def _alive(obj: QObject) -> bool:
    from shiboken6 import isValid
    return bool(isValid(obj))


def test_a_result_whose_owner_was_deleted_is_dropped(qtbot: QtBot) -> None:
    runner, owner = Runner(), QObject()
    release, seen = threading.Event(), []
    runner.run(release.wait, on_success=seen.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: busy is False):
        release.set()
    assert seen == []


def test_a_newer_job_with_the_same_key_wins(qtbot: QtBot) -> None:
    runner, owner = Runner(), QObject()
    first_may_finish, seen = threading.Event(), []

    def slow_first() -> str:
        first_may_finish.wait(5)
        return "old"

    runner.run(slow_first, on_success=seen.append, owner=owner, key="page")
    runner.run(lambda: "new", on_success=seen.append, owner=owner, key="page")
    runner.run(lambda: "other key", on_success=seen.append, owner=owner, key="detail")
    qtbot.waitUntil(lambda: "new" in seen)
    assert runner.busy and not runner.running("page", owner)  # the old one still runs, no longer counts
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: busy is False):
        first_may_finish.set()
    assert sorted(seen) == ["new", "other key"]
    assert not runner.running("page", owner)


def test_a_failure_without_a_handler_is_reported_once(qtbot: QtBot) -> None:
    runner = Runner()
    reported: list[BaseException] = []
    runner.unhandledFailure.connect(reported.append)
    with qtbot.waitSignal(runner.unhandledFailure):
        runner.run(lambda: 1 / 0, on_success=lambda _: None)
    qtbot.waitUntil(lambda: not runner.busy)
    assert len(reported) == 1 and isinstance(reported[0], ZeroDivisionError)


def test_a_failure_without_a_handler_shows_in_the_windows_banner(qtbot: QtBot, sqlite_url: str) -> None:
    from window_support import close_window, show_window

    from configadmin import ConfigurationService
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as service:
        win = show_window(qtbot, service)
        win.runner.run(lambda: (_ for _ in ()).throw(OSError("disk on fire")))
        qtbot.waitUntil(lambda: "disk on fire" in win.banner.text())
        assert "Something went wrong" in win.banner.text()
        close_window(qtbot, win)


def test_callbacks_bound_to_a_deleted_qobject_are_dropped_without_an_owner(qtbot: QtBot) -> None:
    class Receiver(QObject):
        def take(self, value: object) -> None:
            self.setObjectName(str(value))  # raises "already deleted" on a deleted object

    runner, receiver, release = Runner(), Receiver(), threading.Event()
    runner.run(release.wait, on_success=receiver.take)
    receiver.deleteLater()
    qtbot.waitUntil(lambda: not _alive(receiver))
    with qtbot.waitSignal(runner.busyChanged, check_params_cb=lambda busy: busy is False):
        release.set()  # the callback would raise "already deleted" if it were called

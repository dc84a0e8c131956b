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

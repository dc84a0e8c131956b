"""`status()` and the log lines of a reader: an outage is logged once however long it lasts and
however many reads happen; the recovery once."""
from __future__ import annotations

import logging

import pytest

from configadmin.service.reader_state import ReaderState


def test_an_outage_and_its_recovery_are_logged_once_each(caplog: pytest.LogCaptureFixture) -> None:
    state = ReaderState("database", "the configuration database at db:5432")
    with caplog.at_level(logging.WARNING, logger="configadmin"):
        state.loaded(41)
        for _ in range(100):
            state.unreachable("connection refused")
        stale = state.status
        state.loaded(42)
        state.loaded(42)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert "db:5432 is unreachable (connection refused)" in messages[0]
    assert "reachable again; serving revision 42" in messages[1]
    assert (stale.source, stale.revision, stale.stale) == ("database", 41, True)
    assert (state.status.source, state.status.revision, state.status.stale) == ("database", 42, False)


def test_a_start_during_an_outage_says_where_the_values_come_from(caplog: pytest.LogCaptureFixture) -> None:
    state = ReaderState("relay", "the relay at http://relay:8780")
    with caplog.at_level(logging.WARNING, logger="configadmin"):
        state.started_from("snapshot", 40, "timed out")
        state.unreachable("timed out")  # still the same outage: not logged again
    assert len(caplog.records) == 1 and "starting from the snapshot (revision 40)" in caplog.text
    assert (state.status.source, state.status.revision, state.status.stale) == ("snapshot", 40, True)

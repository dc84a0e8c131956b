"""A commit tells readers once: the database's audit trigger sends one NOTIFY per change, and no
second one comes from the client (a reader would otherwise check the head twice per save)."""
from __future__ import annotations

import select
import time
from collections.abc import Iterator

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService
from configadmin.db.notify import CHANNEL
from configadmin.domain.records import Action, Change

pytestmark = pytest.mark.postgres


class Listener:
    """A plain LISTEN connection that collects payloads (no configadmin code in between)."""

    def __init__(self, url: str) -> None:
        u = make_url(url)
        self.conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, dbname=u.database)
        self.conn.autocommit = True
        self.conn.cursor().execute(f"LISTEN {CHANNEL}")

    def received(self, quiet: float = 0.5) -> list[str]:
        """Every payload until nothing has arrived for `quiet` seconds."""
        payloads: list[str] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if select.select([self.conn], [], [], quiet) == ([], [], []):
                break
            self.conn.poll()
            payloads += [n.payload for n in self.conn.notifies]
            self.conn.notifies.clear()
        return payloads


@pytest.fixture
def listener(pg_url: str) -> Iterator[Listener]:
    found = Listener(pg_url)
    yield found
    found.conn.close()


def test_one_save_sends_one_notification_naming_its_revision(pg_url: str, listener: Listener) -> None:
    with ConfigurationService.connect(pg_url, environment="production", user="alice",
                                      watch=False, strict=True) as svc:
        listener.received(quiet=0.1)
        svc.set("ml", "model_input_size", 12)
        first = listener.received()
        svc.set("ml", "feature_mapping", {"a": "b"})
        second = listener.received()
        head = svc.revision("production")
    assert first == ["production:1"]
    assert second == [f"production:{head}"]


def test_a_commit_of_several_changes_sends_one_notification_per_change_at_most(
        pg_url: str, listener: Listener) -> None:
    with ConfigurationService.connect(pg_url, environment="staging", user="alice",
                                      watch=False, strict=True) as svc:
        svc.apply_changes([Change("staging", "ml", "model_input_size", Action.IMPORT, 11),
                           Change("staging", "ml", "churn_threshold", Action.IMPORT, 0.4)])
        payloads = listener.received()
        head = svc.revision("staging")
    assert 1 <= len(payloads) <= 2
    assert payloads[-1] == f"staging:{head}"
    assert len(set(payloads)) == len(payloads)


def test_a_save_that_changes_nothing_sends_nothing(pg_url: str, listener: Listener) -> None:
    with ConfigurationService.connect(pg_url, environment="production", user="alice",
                                      watch=False, strict=True) as svc:
        svc.set("ml", "model_input_size", 12)
        listener.received()
        svc.set("ml", "model_input_size", 12)
        assert listener.received() == []


def test_the_notification_is_the_databases_not_a_second_one_from_the_client(pg_url: str) -> None:
    """PostgreSQL folds identical payloads of one transaction into one, so a second pg_notify from
    the client was invisible to listeners; it still cost a round trip per save. The save sends none."""
    from sqlalchemy import event
    sent: list[str] = []
    with ConfigurationService.connect(pg_url, environment="production", user="alice",
                                      watch=False, strict=True) as svc:
        event.listen(svc.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: sent.append(statement))
        svc.set("ml", "model_input_size", 14)
        svc.reset("ml", "model_input_size")
    assert any("configadmin_save" in s for s in sent)
    assert [s for s in sent if "pg_notify" in s] == []

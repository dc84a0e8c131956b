"""What the relay knows: every served environment resolved in memory, kept current from ONE
ConfigurationService. Every use of the service is in this module.

Database work runs on one worker thread, so the relay holds one pooled connection (plus the
service's LISTEN connection) whatever the number of clients. Change hints arrive on the service's
listener thread and are handed to the event loop; waiting clients are woken per environment.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from configadmin.domain.column_check import ColumnReport
from configadmin.domain.errors import ConfigAdminError, one_line
from configadmin.domain.records import Action, Change, SettingKey
from configadmin.domain.revisions import HeadEntry, Revision, lost_message
from configadmin.domain.validation import all_problems
from configadmin.http.wire import ML_KEYS, Snapshot
from configadmin.service.configuration_service import ConfigurationService

log = logging.getLogger("configadmin.serve")
T = TypeVar("T")
SAFETY_POLL = 30.0  # seconds between head checks while the listener is up (a lost hint is found)
STALE_POLL = 1.0  # while the listener is down or the database away
WRITE_REASON = "saved through configadmin serve"


class RevisionMoved(ConfigAdminError):
    """`If-Match` named a revision the environment has moved past (HTTP 409)."""

    exit_code = 3


@dataclass
class Channel:
    """One environment: its snapshot and the event its waiting clients sleep on."""

    snapshot: Snapshot
    event: asyncio.Event = field(default_factory=asyncio.Event)
    relayed: int = 0

    def wake(self) -> None:
        woken, self.event = self.event, asyncio.Event()
        woken.set()


class RelayState:
    """The served environments, their waiters, and whether what is served may be stale."""

    def __init__(self, service: ConfigurationService, environments: list[str],
                 writer: ConfigurationService | None = None) -> None:
        self.service = service
        self.writer = writer  # `--write-url`: the primary that takes writes for a relay on a standby
        self.lost: list[str] = []  # revisions the database no longer had (a failover lost them)
        self.environments = list(dict.fromkeys(environments))
        self.channels: dict[str, Channel] = {}
        self.stale = False
        self.clients = {"stream": 0, "long_poll": 0}
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-db")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dirty: set[str] = set()
        self._wake: asyncio.Event | None = None
        self._listener_down = False
        self._tasks: list[asyncio.Task[None]] = []
        self._hint_lock = threading.Lock()
        self._hinted: dict[str | None, int | None] = {}
        self._hint_queued = False

    # -- start and stop ------------------------------------------------------------------------
    def load(self) -> None:
        """The first load, before the relay listens: a database that is away fails the start."""
        for env in self.environments:
            snapshot = self._read(env, None)
            assert snapshot is not None
            self.channels[env] = Channel(snapshot)

    async def start(self) -> None:
        """Binds to the running loop: hints from the listener thread now reach the waiters."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        for channel in self.channels.values():
            channel.event = asyncio.Event()
        self.service.subscribe(self._hint, self._connection)
        self._tasks = [asyncio.create_task(self._reloader()), asyncio.create_task(self._poller())]
        self._mark(None)  # anything committed between the first load and the subscription

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self.service.unsubscribe(self._hint)
        self._db.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self.service.close()
        if self.writer is not None:
            self.writer.close()

    # -- reading (memory only) -----------------------------------------------------------------
    def snapshot(self, environment: str) -> Snapshot:
        return self.channels[environment].snapshot

    def unusable(self) -> dict[str, list[str]]:
        """Per environment, the stored values it does not serve and what it serves instead."""
        return {env: list(ch.snapshot.unusable) for env, ch in self.channels.items() if ch.snapshot.unusable}

    def revisions(self) -> dict[str, int]:
        return {env: ch.snapshot.revision for env, ch in self.channels.items()}

    def heads(self) -> dict[str, str]:
        """Per environment, the revision served as id + hash (`43:3fa2c1d08e4b`)."""
        return {env: ch.snapshot.tag for env, ch in self.channels.items()}

    def replica(self) -> tuple[bool, float | None]:
        """(reading from a hot standby, its replication lag in seconds)."""
        return self.service.replica()

    async def wait_past(self, environment: str, after: str, timeout: float) -> Snapshot:
        """Returns the snapshot as soon as its revision passes `after` (`42`: a higher id; `42:3fa2…`:
        any other revision, lower too after a failover lost changes), or at the timeout."""
        channel = self.channels[environment]

        def waiting() -> bool:
            if ":" in after:
                return channel.snapshot.named_by(after)
            return channel.snapshot.revision <= int(after)

        try:
            async with asyncio.timeout(timeout):
                while waiting():
                    await channel.event.wait()
        except TimeoutError:
            pass
        return channel.snapshot

    async def next_event(self, environment: str, seen: tuple[str, bool], timeout: float) -> bool:
        """Waits until the (revision, stale) pair differs from `seen`; False at the timeout."""
        channel = self.channels[environment]
        try:
            async with asyncio.timeout(timeout):
                while (channel.snapshot.tag, self.stale) == seen:
                    await channel.event.wait()
        except TimeoutError:
            return False
        return True

    # -- writing -------------------------------------------------------------------------------
    async def write_ml(self, environment: str, values: Mapping[str, Any], user: str,
                       if_match: str | None) -> Snapshot:
        """Validates every entry (ValidationError listing all problems), writes both keys in one
        transaction audited as `user`, and publishes the result at once (with `--write-url`, the
        standby delivers it when it has replayed it)."""
        snapshot = await self._on_db(self._write_ml, environment, dict(values), user, if_match)
        if self.writer is None:
            self._publish(snapshot)
        return snapshot

    async def column_report(self, environment: str, values: Mapping[str, Any]) -> ColumnReport | None:
        """The posted mapping against the feature table (None: no mapping posted)."""
        if "feature_mapping" not in values:
            return None
        return await self._on_db(self._check_columns, environment, values["feature_mapping"])

    def _check_columns(self, environment: str, mapping: Mapping[str, str]) -> ColumnReport:
        return self.service.check_columns(mapping, environment=environment)

    def problems(self, values: Mapping[str, Any]) -> list[str]:
        """Every problem of every value, each prefixed with its key (no database: pure checks)."""
        registry = self.service.registry

        def check(key: str) -> Callable[[], object]:
            return lambda: registry.spec(SettingKey("ml", key)).validate(values[key])

        return all_problems((key, check(key)) for key in values)

    def _write_ml(self, environment: str, values: dict[str, Any], user: str,
                  if_match: str | None) -> Snapshot:
        service = self.writer or self.service
        expected: dict[str, int | None] = {key: None for key in values}
        if if_match is not None:
            # Versions first, revision second: if the revision still equals If-Match, the versions
            # read are those of that revision, and compare-and-swap on them catches any later save.
            expected = {key: service.stored_resolution(SettingKey("ml", key), environment)
                        .stored_version for key in values}
            now, _ = service.head(environment)
            same = now.revision.named_by(if_match) if ":" in if_match else str(now.revision.id) == if_match
            if not same:
                raise RevisionMoved(f"{environment} is at revision {now.revision}, not {if_match}: "
                                    "read it again and reapply the change")
        service.apply_changes(
            [Change(environment, "ml", key, Action.SET, values[key], True, expected[key], WRITE_REASON)
             for key in ML_KEYS if key in values], updated_by=user)
        snapshot = self._read(environment, None, service)
        assert snapshot is not None
        return snapshot

    # -- keeping current -------------------------------------------------------------------------
    def _read(self, environment: str, known: Snapshot | None,
              service: ConfigurationService | None = None) -> Snapshot | None:
        """The environment as stored now; None when its revision (id + hash) is still `known`'s (a
        hint that named no real change costs one small query). Revision before values: never newer
        than them. A `known` revision the database no longer has was lost in a failover: said loudly."""
        service = service or self.service
        held = known.head if known is not None else None
        head, kept = service.head(environment, held)
        if held is not None and head.revision == held:
            return None
        settings = service.resolve_all(environment)
        lost = None
        if not kept and known is not None:
            lost = lost_message(known.entry or HeadEntry(Revision(known.revision)), head.revision)
        return Snapshot(environment, head.revision.id, tuple(settings), service.unusable(environment),
                        entry=head, lost=lost)

    def _hint(self, environment: str | None, revision: int | None) -> None:
        """On the listener thread: a hint, not a fact (any login may NOTIFY); checked on the loop.
        Hints are coalesced here, before the loop sees them: however many arrive, at most one
        callback is queued on the loop at a time and `_hinted` holds at most one entry per served
        environment (a NOTIFY flood allocated one loop callback per notification: 2.5 GiB in 40 s)."""
        if self._loop is None or (environment is not None and environment not in self.channels):
            return
        with self._hint_lock:
            if environment is None or revision is None:
                self._hinted[environment] = None
            elif environment not in self._hinted or (
                    (known := self._hinted[environment]) is not None and revision > known):
                self._hinted[environment] = revision
            if self._hint_queued:
                return
            self._hint_queued = True
        self._loop.call_soon_threadsafe(self._on_hints)

    def _on_hints(self) -> None:
        with self._hint_lock:
            hinted, self._hinted = self._hinted, {}
            self._hint_queued = False
        for environment, revision in hinted.items():
            if environment is None:
                self._mark(None)
            elif revision is None or revision != self.channels[environment].snapshot.revision:
                # lower: the database lost changes (a failover)
                self._mark(environment)

    def _connection(self, connected: bool) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._on_connection, connected)

    def _on_connection(self, connected: bool) -> None:
        self._listener_down = not connected
        if connected:
            self._mark(None)
        else:
            self._set_stale(True, "the change listener lost the database")

    def _mark(self, environment: str | None) -> None:
        self._dirty.update(self.channels if environment is None else [environment])
        if self._wake is not None:
            self._wake.set()

    async def _reloader(self) -> None:
        assert self._wake is not None
        backoff = 0.2
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._dirty:
                env = min(self._dirty)
                self._dirty.discard(env)
                try:
                    snapshot = await self._on_db(self._read, env, self.channels[env].snapshot)
                except Exception as exc:  # noqa: BLE001  (anything: keep serving what we have)
                    self._dirty.add(env)
                    self._set_stale(True, one_line(exc))
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                backoff = 0.2
                if snapshot is not None:
                    self._publish(snapshot)
            if not self._listener_down:
                self._set_stale(False)

    async def _poller(self) -> None:
        """Checks the heads now and then: every second while stale, else every SAFETY_POLL."""
        last = time.monotonic()
        while True:
            await asyncio.sleep(STALE_POLL)
            if self.stale or self._listener_down or time.monotonic() - last >= SAFETY_POLL:
                last = time.monotonic()
                self._mark(None)

    def _publish(self, snapshot: Snapshot) -> None:
        channel = self.channels[snapshot.environment]
        if snapshot.revision < channel.snapshot.revision and snapshot.lost is None:
            return  # an older read finishing late
        if snapshot.lost is not None and snapshot.lost not in self.lost:
            self.lost.append(snapshot.lost)
            log.error("%s", snapshot.lost)
        if snapshot.tag != channel.snapshot.tag:
            channel.relayed += 1
        channel.snapshot = snapshot
        channel.wake()

    def _set_stale(self, stale: bool, why: str = "") -> None:
        if stale == self.stale:
            return
        self.stale = stale
        served = ", ".join(f"{env} at revision {rev}" for env, rev in self.revisions().items())
        if stale:
            log.warning("serving last-known-good (%s): %s", served, why)
        else:
            log.warning("database reachable again; serving %s", served)
        for channel in self.channels.values():
            channel.wake()

    async def _on_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

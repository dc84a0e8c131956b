"""The reader side of ConfigurationService: the cache of resolved values, last-known-good while the
database is away, the start from a snapshot or the files, and the background refresh fed by the
change listener. A warm read is one dictionary lookup, whatever the state of the database."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from configadmin.domain.errors import DatabaseUnavailable, NotFound
from configadmin.domain.records import ReaderStatus, Resolved, SettingKey
from configadmin.domain.registry import DECLARED, FEATURE_MAPPING, Registry
from configadmin.domain.resolution import resolve_every
from configadmin.domain.revisions import HeadEntry, Revision, lost_message
from configadmin.domain.validation import MAX_GENERIC_BYTES
from configadmin.service.class_calls import shared_or_bound
from configadmin.service.reader_state import ReaderState
from configadmin.service.refresher import Refresher
from configadmin.service.snapshot import SnapshotStore, offline_start
from configadmin.service.value_screen import ValueScreen
from configadmin.sources.pyfile import FileLayer

if TYPE_CHECKING:
    from configadmin.db.notify import OnChange, OnConnection
    from configadmin.db.repository import Repository, UnitOfWork
    from configadmin.service.change_feed import ChangeFeed
    from configadmin.service.heartbeat import ReaderHeartbeat

CacheKey = tuple[str, str, str]
LARGE_SETTINGS = tuple(key.name for key in DECLARED)  # loaded whatever their size (up to 16 MiB)
T = TypeVar("T")


class CachedReads:
    """Mixed into ConfigurationService, which sets these attributes in its constructor."""

    engine: Any
    read_engine: Any
    url: Any
    environment: str
    defaults: FileLayer
    legacy: FileLayer
    registry: Registry
    strict: bool
    is_postgres: bool
    _cache: dict[CacheKey, Resolved]
    _last_good: dict[CacheKey, Resolved]
    _revisions: dict[str, int]
    _heads: dict[str, HeadEntry]
    _generation: int
    _env_generations: dict[str, int]
    _lock: threading.Lock
    _state: ReaderState
    _snapshots: SnapshotStore | None
    _schema_checked: bool
    _refresher: Refresher | None
    _feed: ChangeFeed
    _reader: ReaderHeartbeat | None
    _screen: ValueScreen

    def _start_offline(self, unavailable: DatabaseUnavailable) -> dict[CacheKey, Resolved]:
        """A reader that has never loaded and cannot reach the database starts from its snapshot,
        else from the file layers (and says which); with neither it raises."""
        values, source, revision = offline_start(self._snapshots, self.registry, self.defaults, self.legacy)
        if not values:
            raise unavailable
        with self._lock:
            self._last_good = {(self.environment, r.category, r.key): r for r in values}
            self._cache.update(self._last_good)
            good = dict(self._last_good)
        self._state.started_from(source, revision, unavailable)
        self._watch(failing=True)
        return good

    def _uow(self, *, write: bool = False, engine: Any = None) -> UnitOfWork:
        from configadmin.db.repository import UnitOfWork
        return UnitOfWork(engine if engine is not None else self.engine, write=write)

    def status(self) -> ReaderStatus:
        """What this reader serves: source ("database", "relay", "snapshot", "files"), the
        revision loaded, whether it may be stale (source unreachable) and since when. Values are
        loaded on the first read; asked before it, this loads them."""
        if not self._last_good:
            try:
                self._load(self.environment, FEATURE_MAPPING)
            except NotFound:
                pass
        standby, lag = self._feed.replica()
        return self._state.replica(standby, lag)

    def replica(self) -> tuple[bool, float | None]:
        """(reading from a hot standby, its replication lag in seconds), as the change listener
        last saw them; no database work."""
        return self._feed.replica()

    # -- reads (cached) --------------------------------------------------------------------------
    def resolve(self, category: str, key: str) -> Resolved:
        check = self._feed.check
        if check is not None and time.monotonic() >= check.next_due and check.changed():
            self._invalidate(None)
        hit = self._cache.get((self.environment, category, key))
        if hit is not None:
            return hit
        return self._load(self.environment, SettingKey(category, key))

    def get(self, category: str, key: str) -> Any:
        return self.resolve(category, key).value

    @shared_or_bound
    def get_ml_feature_mapping(self) -> Mapping[str, str]:
        """On the class: the process-wide service's value (the seed's call)."""
        value: Mapping[str, str] = self.resolve("ml", "feature_mapping").value
        return value

    @shared_or_bound
    def get_ml_model_input_size(self) -> int:
        """On the class: the process-wide service's value (the seed's call)."""
        value: int = self.resolve("ml", "model_input_size").value
        return value

    def resolve_all(self, environment: str | None = None) -> list[Resolved]:
        """Every known setting of an environment, read fresh from the database."""
        env = environment or self.environment
        self._invalidate(env)
        return list(self._load_environment(env).values())

    def unusable(self, environment: str | None = None) -> tuple[str, ...]:
        """The settings of an environment whose stored value could not be used at its last load,
        each with why and what is served instead (configadmin/service/value_screen.py)."""
        return self._screen.unusable.get(environment or self.environment, ())

    def _load(self, environment: str, wanted: SettingKey) -> Resolved:
        try:
            resolved = self._load_environment(environment)
        except DatabaseUnavailable as exc:
            if self.strict or environment != self.environment:
                raise
            resolved = self._serve_last_good(exc) if self._last_good else self._start_offline(exc)
        try:
            return resolved[(environment, wanted.category, wanted.key)]
        except KeyError:
            self.registry.spec(wanted)  # raises NotFound for an unknown setting
            raise NotFound(f"{wanted.name} has no value in any layer") from None

    def _serve_last_good(self, exc: Exception) -> dict[CacheKey, Resolved]:
        """The database went away under a cache miss: the last values loaded, from now on warm."""
        self._state.unreachable(exc)
        with self._lock:
            good = dict(self._last_good)
            self._cache.update(good)
        self._watch(failing=True)
        return good

    def _load_environment(self, environment: str) -> dict[CacheKey, Resolved]:
        """Every setting of one environment, from one query; cached unless a change notification
        arrived meanwhile (then what was read may already be stale, and the next read loads again).
        The head is read before the rows: a commit in between makes the next head check reload."""
        self._watch()
        generation = self._generation_of(environment)
        held = self._heads.get(environment) if environment == self.environment else None
        head, kept, stored = self._read(lambda repo: _head_and_rows(repo, environment, held))
        revision = head.revision.id
        rows = {SettingKey(r.category, r.key): r for r in stored}
        values = self._screen.screen(
            environment, rows, self.defaults.values, self.legacy.values,
            resolve_every(self.registry.keys, rows, self.defaults.values, self.legacy.values))
        resolved = {(environment, r.category, r.key): r for r in values}
        with self._lock:
            if generation == self._generation_of(environment):  # nothing dropped while we read
                self._cache.update(resolved)
                self._revisions[environment] = revision
            if environment == self.environment:
                self._last_good = dict(resolved)
        if environment == self.environment:
            self._heads[environment] = head
            if held is not None and not kept:
                self._state.lost(lost_message(held, head.revision))
            self._state.loaded(revision, head=head.revision,
                               unusable=self._screen.unusable.get(environment, ()))
            if self._snapshots is not None:
                self._snapshots.save(revision, values)
            if self._reader is not None:
                self._reader.loaded(revision, environment)
        return resolved

    def reload_if_dropped(self) -> None:
        """Loads this environment again if a change notification dropped it from the cache (the
        reader heartbeat calls this, so it reports the revision really loaded)."""
        check = self._feed.check
        if check is not None and check.changed():
            self._invalidate(None)
        if not any(k[0] == self.environment for k in list(self._cache)):
            self._load_environment(self.environment)

    def _invalidate(self, environment: str | None, *, keep: str | None = None) -> None:
        """Drops cached values (of one environment, or all but `keep`); a load running meanwhile
        of an environment dropped here will not cache what it read (it may be stale already)."""
        with self._lock:
            if environment is None and keep is None:
                self._generation += 1
            envs = {environment} if environment is not None else {k[0] for k in self._cache}
            for env in envs - {keep}:
                if env in self._env_generations:  # never loaded: nothing to drop (a flood of
                    self._env_generations[env] += 1  # made-up names must not grow this)
            for k in [k for k in self._cache if k[0] in envs and k[0] != keep]:
                del self._cache[k]

    def _generation_of(self, environment: str) -> tuple[int, int]:
        return self._generation, self._env_generations.setdefault(environment, 0)

    # -- the background refresh of a reader (configadmin/service/refresher.py) -------------------
    def _watch(self, *, failing: bool = False) -> None:
        """Starts, once, the refresher of a reader on PostgreSQL, then the change feed (in this
        order: the listener's first connect is then a hint, not a reason to drop the cache)."""
        if not self.strict and self.is_postgres and self._feed.enabled:
            with self._lock:
                if self._refresher is None:
                    self._refresher = Refresher(
                        self._head, self._held_revision, self._reload,
                        self._state.unreachable, self._reached).start(failing=failing)
                elif failing:
                    self._refresher.hint()
        self._feed.start(background=self._reader is not None)

    def _held_revision(self) -> Revision | None:
        held = self._heads.get(self.environment)
        return held.revision if held is not None else None

    def _head(self) -> Revision:
        """The environment's real head (after a start during an outage: the schema is checked first)."""
        if not self._schema_checked:
            from configadmin.db import schema
            from configadmin.db.engine import translated_errors
            with translated_errors(self.url):
                schema.ensure_current(self.read_engine)
            self._schema_checked = True
        return self._read(lambda repo: repo.head(self.environment)).revision

    def _read(self, read: Callable[[Repository], T]) -> T:
        """On the listener's connection when it is up (a reader then holds one connection, and a
        fleet reloading at once opens none), else on a connection opened for this read."""
        lent = self._feed.lend(read)
        if lent is not None:
            return lent
        with self._uow(engine=self.read_engine) as uow:
            return read(uow.repo)

    def _reload(self) -> None:
        self._load_environment(self.environment)
        self._feed.publish_change(self.environment, self._revisions.get(self.environment))

    def _reached(self) -> None:
        revision = self._revisions.get(self.environment)
        if revision is not None and self._state.status.stale:
            self._state.loaded(revision, unusable=self.unusable())

    # -- change notification (configadmin/change_feed.py) ----------------------------------------
    def subscribe(self, on_change: OnChange, on_connection: OnConnection | None = None) -> None:
        """Calls `on_change(environment, revision)` from a background thread whenever another
        process commits (environment None: reload everything), and `on_connection(bool)` when the
        notification connection drops or comes back."""
        self._feed.subscribe(on_change, on_connection)

    def unsubscribe(self, on_change: OnChange) -> None:
        """Stops calling `on_change` (and its `on_connection`), e.g. when a window closes."""
        self._feed.unsubscribe(on_change)

    def _changed(self, environment: str | None, revision: int | None) -> None:
        """A notification (or a reconnect: environment None). For a reader's own environment the
        listener passes the real head it read (a notification is only a hint): a head already
        loaded is nothing; a newer one is loaded in the background and then published."""
        if self._refresher is not None:
            if environment == self.environment and revision is not None:
                if revision != self._revisions.get(environment, -1):  # lower: commits were lost
                    self._refresher.reload_soon()
                return
            if environment is None:
                self._refresher.hint()
            self._invalidate(environment, keep=self.environment)
        elif environment is None or revision is None or revision > self._revisions.get(environment, 0):
            self._invalidate(environment)
        self._feed.publish_change(environment, revision)

    def _confirmed_environments(self) -> tuple[str, ...]:
        """The environments whose notifications the listener checks against the real head."""
        return (self.environment,) if self._refresher is not None else ()

    def _connection(self, connected: bool) -> None:
        if self._refresher is not None:
            self._refresher.live(connected)
        elif not connected:
            self._invalidate(None)  # strict: no value of unknown age is served
        self._feed.publish_connection(connected)



def _head_and_rows(repo: Repository, environment: str,
                   held: HeadEntry | None) -> tuple[HeadEntry, bool, list[Any]]:
    """The head (id + hash), whether the head loaded before is still in the chain (False: a
    failover lost it), and the rows; the head before the rows, so never newer than them."""
    head = repo.head(environment)
    kept = held is None or held.revision == head.revision or repo.holds(held.revision)
    return head, kept, repo.all_bounded(environment, MAX_GENERIC_BYTES, LARGE_SETTINGS)

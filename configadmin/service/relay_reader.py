"""A reader that reads through the relay (DESIGN §9) instead of the database: the same read API and
cache as ConfigurationService, live changes over the relay's event stream, last-known-good and the
snapshot when the relay is away, `status().source == "relay"`. It loads no database driver.

Writes: `set_ml_feature_mapping` / `set_ml_model_input_size` POST /api/config/ml with the bearer
token of CONFIGADMIN_RELAY_TOKEN (the relay audits them with the token's user as actor); without a
token they raise PermissionDenied. Everything else an analyst does needs the database."""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from configadmin.domain.errors import DatabaseUnavailable, NotFound
from configadmin.domain.records import ReaderStatus, Resolved, SettingKey, StoredValue
from configadmin.domain.registry import Registry, parse_key
from configadmin.domain.resolution import thaw
from configadmin.service.locate import read_layers
from configadmin.service.reader_state import ReaderState
from configadmin.service.refresher import Refresher
from configadmin.service.relay_client import RelayClient, RelayConfig
from configadmin.service.snapshot import SnapshotStore, offline_start
from configadmin.service.value_screen import ValueScreen
from configadmin.sources.pyfile import FileLayer

TOKEN_VARIABLE = "CONFIGADMIN_RELAY_TOKEN"
STREAM_RETRY_MAX = 5.0


class RelayReader:
    """Built by `ConfigurationService.connect(url="http://host:8780", environment=...)`."""

    def __init__(self, client: RelayClient, defaults: FileLayer, legacy: FileLayer | None, *,
                 snapshots: SnapshotStore | None, strict: bool, watch: bool) -> None:
        self.client = client
        self.environment = client.environment
        self.database = client.address
        self.defaults = defaults
        self.legacy = legacy or FileLayer.empty()
        self.registry = Registry(self.defaults.values, self.legacy.values)
        self.strict = strict
        self._cache: dict[tuple[str, str], Resolved] = {}
        self._revision: int | None = None
        self._tag: str | None = None  # the revision as id + hash: what the relay's ETag names
        self._load_lock = threading.Lock()
        self._state = ReaderState("relay", f"the relay at {client.address}")
        self._snapshots = snapshots
        self._stop = threading.Event()
        self._refresher = Refresher(self._head, lambda: self._tag, self._reload,
                                    self._state.unreachable, self._reached, name="configadmin-relay")
        self._stream = threading.Thread(target=self._listen, name="configadmin-relay-events",
                                        daemon=True)
        self._watch = watch
        self._pending: RelayConfig | None = None
        self._relay_stale = False
        self._screen = ValueScreen()

    @classmethod
    def open(cls, url: str, environment: str, defaults: str | os.PathLike[str] | None,
             settings: str | os.PathLike[str] | None, *, snapshot_dir: str | os.PathLike[str] | None,
             strict: bool, watch: bool) -> RelayReader:
        client = RelayClient(url, environment, os.environ.get(TOKEN_VARIABLE) or None)
        default_layer, legacy_layer = read_layers(defaults, settings)
        snapshots = None if strict else SnapshotStore(client.address, environment, snapshot_dir)
        reader = cls(client, default_layer, legacy_layer, snapshots=snapshots, strict=strict,
                     watch=watch)
        try:
            reader._apply(client.config())
            failing = False
        except DatabaseUnavailable as exc:
            if strict:
                raise
            reader._start_offline(exc)
            failing = True
        if watch:
            reader._refresher.start(failing=failing)
            reader._stream.start()
        return reader

    def _start_offline(self, exc: DatabaseUnavailable) -> None:
        values, source, revision = offline_start(self._snapshots, self.registry, self.defaults, self.legacy)
        if not values:
            raise exc
        self._cache = {(r.category, r.key): r for r in values}
        self._state.started_from(source, revision, exc)

    # -- reads ----------------------------------------------------------------------------------
    def resolve(self, category: str, key: str) -> Resolved:
        hit = self._cache.get((category, key))
        if hit is not None:
            return hit
        self.registry.spec(SettingKey(category, key))  # NotFound for an unknown setting
        raise NotFound(f"{category}.{key} has no value in any layer")

    def get(self, category: str, key: str) -> Any:
        return self.resolve(category, key).value

    def get_ml_feature_mapping(self) -> Mapping[str, str]:
        value: Mapping[str, str] = self.resolve("ml", "feature_mapping").value
        return value

    def get_ml_model_input_size(self) -> int:
        value: int = self.resolve("ml", "model_input_size").value
        return value

    def resolve_all(self, environment: str | None = None) -> list[Resolved]:
        return list(self._cache.values())

    def status(self) -> ReaderStatus:
        return self._state.status

    def parse_key(self, name: str) -> SettingKey:
        setting = parse_key(name)
        self.registry.spec(setting)
        return setting

    # -- writes through the relay ------------------------------------------------------------------
    def set_ml_feature_mapping(self, mapping: Mapping[str, str], updated_by: str | None = None,
                               reason: str | None = None) -> int:
        """`updated_by` and `reason` are not sent: the relay audits with its token's user."""
        return self._post({"feature_mapping": thaw(mapping)})

    def set_ml_model_input_size(self, size: int, updated_by: str | None = None,
                                reason: str | None = None) -> int:
        return self._post({"model_input_size": size})

    def _post(self, body: dict[str, Any]) -> int:
        self.client.post_ml(body)
        self._reload()  # read your own write
        return self._revision or 0

    # -- keeping up -----------------------------------------------------------------------------
    def _apply(self, config: RelayConfig | None) -> None:
        if config is None:
            return
        rows = {SettingKey(r.category, r.key): StoredValue(self.environment, r.category, r.key, r.value,
                                                           True, r.stored_version, None, None)
                for r in config.settings}
        values = self._screen.screen(self.environment, rows, self.defaults.values,
                                     self.legacy.values, config.settings)
        self._cache = {(r.category, r.key): r for r in values}  # one reference swap
        if config.lost is not None and self._tag is not None and config.head != self._tag:
            self._state.lost(config.lost)
        self._revision, self._tag = config.revision, config.head
        self._relay_stale = config.stale
        self._state.loaded(config.revision, stale=config.stale, head=config.head,
                           unusable=self._screen.unusable.get(self.environment, ()))
        if self._snapshots is not None:
            self._snapshots.save(config.revision, values)

    def _head(self) -> str:
        """A conditional GET: 304 costs no body; a 200 is kept for `_reload`."""
        config = self.client.config(self._tag)
        if config is None:
            assert self._tag is not None
            return self._tag
        if config.head == self._tag:  # a relay that ignored If-None-Match
            self._relay_stale = config.stale
            return config.head
        self._pending = config
        return config.head

    def _reload(self) -> None:
        with self._load_lock:
            pending, self._pending = self._pending, None
            self._apply(pending if pending is not None else self.client.config())

    def _reached(self) -> None:
        if self._revision is not None and self._state.status.stale != self._relay_stale:
            self._state.loaded(self._revision, stale=self._relay_stale,
                               unusable=self._screen.unusable.get(self.environment, ()))

    def _listen(self) -> None:
        """The relay's event stream; each revision other than ours is a hint to check."""
        backoff = 0.5
        while not self._stop.is_set():
            try:
                for tag, stale in self.client.revisions(self._tag):
                    self._refresher.live(True)
                    backoff = 0.5
                    if tag != self._tag or stale != self._relay_stale:
                        self._relay_stale = stale
                        self._refresher.hint()
                    if self._stop.is_set():
                        return
            except DatabaseUnavailable:
                pass
            self._refresher.live(False)
            self._stop.wait(backoff)
            backoff = min(backoff * 2, STREAM_RETRY_MAX)

    def close(self) -> None:
        self._stop.set()
        self.client.cut()
        self._refresher.stop()
        if self._stream.is_alive():
            self._stream.join(timeout=5)

    def __enter__(self) -> RelayReader:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


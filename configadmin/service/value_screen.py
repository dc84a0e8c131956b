"""Isolating one stored value a reader cannot use, so it never fails the rest.

Any login with the write function (or an old row, or another database) may hold a value that does
not parse (5,000 levels deep), is too large for a reader to load, or has the wrong type for its
setting ('ten' as the input size). A reader then serves, for that setting only, the last good value
it loaded, else the file layers' value; it says which in `status().unusable` and logs it once.
The check is of shape (what could break a caller), not the full validation a save runs: a stored
mapping that an older rule let through is still served.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from configadmin.domain.records import Resolved, SettingKey, Source, StoredValue
from configadmin.domain.registry import DECLARED, declared_shape_problem
from configadmin.domain.resolution import resolve, thaw
from configadmin.domain.stored_json import UnusableValue
from configadmin.domain.validation import json_type

log = logging.getLogger("configadmin")


def value_problem(key: SettingKey, value: Any, file_values: Mapping[SettingKey, Any],
                  settings_values: Mapping[SettingKey, Any]) -> str | None:
    """Why a reader cannot serve `value` for `key` (None: it can): unreadable, or not of the type
    its setting has (declared schema, else the JSON type of its file or settings value). Bounds
    are the save's business: a stored value out of a newer range is still served."""
    if isinstance(value, UnusableValue):
        return str(value)
    if not isinstance(value, (dict, list)):
        value = thaw(value)  # a relay's answer arrives frozen
    if key in DECLARED:
        problem = declared_shape_problem(key, value)
        return f"wrong type: {problem}" if problem else None
    example = file_values[key] if key in file_values else settings_values.get(key, _NONE)
    if example is _NONE:
        return None
    expected, actual = json_type(example), json_type(value)
    if actual != expected and not (expected == "number" and actual == "integer"):
        return f"wrong type: expected {expected} (the type of the default), got {actual}"
    return None


_NONE = object()


class ValueScreen:
    """Remembers each environment's last good database values and what it isolated."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._good: dict[str, dict[SettingKey, Resolved]] = {}
        self._logged: set[tuple[str, SettingKey, int, str]] = set()
        self.unusable: dict[str, tuple[str, ...]] = {}

    def screen(self, environment: str, rows: Mapping[SettingKey, StoredValue],
               file_values: Mapping[SettingKey, Any], settings_values: Mapping[SettingKey, Any],
               values: Iterable[Resolved]) -> list[Resolved]:
        """`values` (resolved from `rows`) with every unusable database value replaced."""
        bad = {key: problem for key, row in rows.items() if row.is_active and (
            problem := value_problem(key, row.value, file_values, settings_values)) is not None}
        with self._lock:
            good = self._good.setdefault(environment, {})
            served: list[Resolved] = []
            notes: list[str] = []
            for value in values:
                key = SettingKey(value.category, value.key)
                if key not in bad:
                    if value.source is Source.DATABASE:
                        good[key] = value
                    served.append(value)
                    continue
                instead, said = self._instead(key, rows[key], good.get(key), file_values,
                                              settings_values)
                note = f"{key.name}: {bad[key]}; {said}"
                notes.append(note)
                self._log_once(environment, key, rows[key].version, note)
                if instead is not None:
                    served.append(instead)
            for key in [k for k in good if k not in rows or not rows[k].is_active]:
                del good[key]
            self.unusable[environment] = tuple(notes)
        return served

    @staticmethod
    def _instead(key: SettingKey, row: StoredValue, last_good: Resolved | None,
                 file_values: Mapping[SettingKey, Any], settings_values: Mapping[SettingKey, Any]
                 ) -> tuple[Resolved | None, str]:
        """The value served in place of a bad row (its stored version kept: a save over it is a
        normal compare-and-swap), and what the note says about it."""
        if last_good is not None:
            return (dataclasses.replace(last_good, stored_version=row.version),
                    f"serving the last good value (version {last_good.version})")
        fallback = resolve(key, None, file_values, settings_values)
        if fallback is None:
            return None, "no other layer has a value for it"
        where = "file default" if fallback.source is Source.FILE else "settings.py value"
        return dataclasses.replace(fallback, stored_version=row.version), f"serving the {where}"

    def _log_once(self, environment: str, key: SettingKey, version: int, note: str) -> None:
        mark = (environment, key, version, note)
        if mark not in self._logged:
            if len(self._logged) > 10_000:
                self._logged.clear()
            self._logged.add(mark)
            log.warning("configadmin: %s in %s: %s", key.name, environment, note.split(": ", 1)[1])

"""Resolution of one setting across the layers: database → defaults file → settings.py."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from configadmin.domain.records import Resolved, SettingKey, Source, StoredValue
from configadmin.domain.stored_json import is_unusable, read_stored

_MISSING = object()


def resolve(
    key: SettingKey,
    row: StoredValue | None,
    file_values: Mapping[SettingKey, Any],
    settings_values: Mapping[SettingKey, Any],
) -> Resolved | None:
    """The winning layer and every layer's value; None when no layer has the setting."""
    layers: dict[Source, Any] = {}
    if row is not None and row.is_active:
        layers[Source.DATABASE] = row.value
    if key in file_values:
        layers[Source.FILE] = file_values[key]
    if key in settings_values:
        layers[Source.SETTINGS] = settings_values[key]
    stored_version = row.version if row is not None else 0
    for source in Source:
        if source in layers:
            return Resolved(
                key.category, key.key, freeze(layers[source]), source,
                version=stored_version if source is Source.DATABASE else None,
                stored_version=stored_version, layers=layers,
            )
    return None


def resolve_every(
    known: Iterable[SettingKey],
    rows: Mapping[SettingKey, StoredValue],
    file_values: Mapping[SettingKey, Any],
    settings_values: Mapping[SettingKey, Any],
) -> list[Resolved]:
    """Every setting of one environment that some layer has: the known ones in their order, then the
    rows that no file names."""
    every = (resolve(key, rows.get(key), file_values, settings_values)
             for key in dict.fromkeys([*known, *rows]))
    return [r for r in every if r is not None]


def freeze(value: Any) -> Any:
    """A read-only view of a JSON value: objects become mappingproxies, arrays tuples.

    Flat str→str objects (the feature mapping) are wrapped without copying their items.
    """
    if isinstance(value, dict):
        if not any(issubclass(kind, (dict, list)) for kind in set(map(type, value.values()))):
            return MappingProxyType(value)
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The plain JSON value (dict/list) of a frozen one, for serialising and editing.

    Flat objects (the feature mapping) are copied at C speed, not item by item.
    """
    if isinstance(value, Mapping):
        if not any(issubclass(kind, (Mapping, tuple)) for kind in set(map(type, value.values()))):
            return dict(value)
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def same_value(a: Any, b: Any) -> bool:
    """Equal as stored: the JSON text, so a mapping's entry order counts (a reorder is a change)
    and 1 is not 1.0 or true. The one equality of "this changes nothing": `changes_anything`
    (set, revert, import, reset, the window's save plan) and a promote's target use it."""
    if isinstance(a, Mapping) and isinstance(b, Mapping) and _flat_text(a):
        # the feature mapping: no text, no tuple per entry (only a flat b can equal a flat a)
        return a == b and list(a) == list(b)

    def text(value: Any) -> str:
        return json.dumps(thaw(value), ensure_ascii=False, separators=(",", ":"))
    return text(a) == text(b)


def _flat_text(value: Mapping[Any, Any]) -> bool:
    """Text keys and text values only: then equal entries in equal order is equal JSON text."""
    return set(map(type, value)) <= {str} and set(map(type, value.values())) <= {str}


def text_changes_anything(stored: str | None, value: Any, value_text: str) -> bool:
    """changes_anything for the text stored now (None: no active value) and the text `value`
    would be stored as: the same text changes nothing without parsing either; another text is
    compared as values (a text written by another program may differ only in spacing)."""
    if stored is None:
        return True
    if stored == value_text:
        return False
    if (len(stored) <= len(value_text) and "\\" not in stored and isinstance(value, Mapping)
            and _flat_text(value)):
        # Our text of a flat text mapping is its shortest JSON text: any other text of the same
        # value is longer (spacing, a repeated key) or escapes a character, so this one, neither
        # longer nor escaping, is another value. Decided without parsing 100,000 entries.
        return True
    now = read_stored(stored)
    return is_unusable(now) or not same_value(now, value)  # an unusable value is replaced


def changes_anything(base: Resolved | StoredValue | None, value: Any) -> bool:
    """Whether storing `value` (None: a reset) over `base` would change what the database holds:
    the one place that decides "this changes nothing" (a save, revert, import or promote that
    would not writes nothing; a reset of a setting without an active database value neither).
    `base` is what resolves now or the stored row (None: no row)."""
    if isinstance(base, Resolved):
        stored = base.layers.get(Source.DATABASE) if base.source is Source.DATABASE else None
    else:
        stored = base.value if base is not None and base.is_active else None
    if value is None:
        return stored is not None
    return stored is None or not same_value(stored, value)

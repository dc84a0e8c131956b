"""A change request as its review shows it, worked out off the GUI thread: the request as it is
now, what the connected login may do with it, and its entry-level diffs against what is stored now
and against what it was based on, flattened over its settings so that the diff tables show them
without a copy (a 10,000-entry mapping costs the GUI thread nothing). No Qt."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configadmin.domain.diff import EntryDiff
from configadmin.domain.requests import ChangeRequest, RequestDiff, RequestPermissions

MAPPING = "ml.feature_mapping"

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService


@dataclass(frozen=True)
class DiffRows:
    """Every setting's entries in one sequence, `settings[i]` naming the setting of `entries[i]`."""

    entries: tuple[EntryDiff, ...]
    settings: tuple[str, ...]


@dataclass(frozen=True)
class RequestReview:
    request: ChangeRequest
    permissions: RequestPermissions
    diff: RequestDiff
    against_now: DiffRows
    against_base: DiffRows
    base_missing: tuple[str, ...]  # settings whose based-on version is no longer in the history
    columns: str | None = None  # "2 columns not in analytics.features": the proposed mapping checked

    @property
    def moved(self) -> tuple[str, ...]:
        """Settings stored at another version than the request was based on: applying it now
        would find them moved and make the request stale."""
        return tuple(c.change.name for c in self.diff.changes if c.moved)


def _rows(parts: list[tuple[str, tuple[EntryDiff, ...]]]) -> DiffRows:
    entries: list[EntryDiff] = []
    settings: list[str] = []
    for name, found in parts:
        entries.extend(found)
        settings.extend([name] * len(found))
    return DiffRows(tuple(entries), tuple(settings))


def load_review(service: ConfigurationService, request_id: int) -> RequestReview:
    """Runs on the worker: three reads and the diffs."""
    request = service.request(request_id)
    diff = service.request_diff(request_id)
    permissions = service.request_permissions(request_id)
    now = _rows([(c.change.name, c.against_now.entries) for c in diff.changes])
    base = _rows([(c.change.name, c.against_base.entries) for c in diff.changes if c.against_base is not None])
    missing = tuple(c.change.name for c in diff.changes if c.against_base is None)
    return RequestReview(request, permissions, diff, now, base, missing, _columns(service, request))


def _columns(service: ConfigurationService, request: ChangeRequest) -> str | None:
    """The proposed mapping against the feature table (issue 24), when a table could be read: a
    missing table or an unreachable source is the feature table's notice, not the review's."""
    mapping = next((c.value for c in request.changes if c.name == MAPPING and not c.reset
                    and isinstance(c.value, Mapping)), None)
    if mapping is None:
        return None
    report = service.check_columns(mapping, environment=request.environment)
    return None if report.notice is not None else report.summary()

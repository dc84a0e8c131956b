"""Error types, raised low and turned into a dialog or an exit code at the edge (CLI, window)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from configadmin.domain.records import StoredValue


class ConfigAdminError(Exception):
    """Base of every error this package raises on purpose; `str()` is the one-line message."""

    exit_code = 1


class ValidationError(ConfigAdminError, ValueError):
    """A value, key or argument is not acceptable; `problems` lists every one of them."""

    exit_code = 2
    shown_problems = 10

    def __init__(self, problems: Sequence[str] | str, *, setting: str | None = None) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        self.setting = setting
        head = f"invalid value for {setting}: " if setting else ""
        shown = "; ".join(self.problems[: self.shown_problems])
        more = len(self.problems) - self.shown_problems
        tail = f"; and {more} more problem(s)" if more > 0 else ""
        super().__init__(f"{head}{shown}{tail}")


class NotFound(ValidationError):
    """An unknown setting, environment or audit entry was named."""


class ConflictError(ConfigAdminError):
    """A compare-and-swap save met a newer version; `current` is the row as it is now (None: no row)."""

    exit_code = 3

    def __init__(self, setting: str, expected: int, current: StoredValue | None) -> None:
        self.setting = setting
        self.expected = expected
        self.current = current
        actual = current.version if current is not None else 0
        who = f" (changed by {current.updated_by})" if current is not None and current.updated_by else ""
        super().__init__(
            f"{setting} was changed elsewhere: expected version {expected}, found {actual}{who}"
        )


class DatabaseUnavailable(ConfigAdminError):
    """The database cannot be reached (the message names host and port, never a password)."""

    exit_code = 4


class DatabaseBusy(DatabaseUnavailable):
    """A write waited longer than its lock or statement timeout (another transaction holds what it
    needs); nothing was written, and trying again later is safe."""


class ReadOnlyStandby(DatabaseUnavailable):
    """A write reached a hot standby (read-only until promoted): writes go to the primary."""


class SchemaOutOfDate(ConfigAdminError):
    """The database has no schema or an older one; `configadmin migrate` fixes it."""

    exit_code = 4


class PermissionDenied(ConfigAdminError):
    """The database user may read but not write."""

    exit_code = 1


class AuditChainBroken(ConfigAdminError):
    """The audit does not verify; `first_broken_id` is the first bad row, `count` how many breaks."""

    exit_code = 5

    def __init__(self, first_broken_id: int, reason: str, count: int = 1) -> None:
        self.first_broken_id = first_broken_id
        more = f" (and {count - 1} more break(s), listed above)" if count > 1 else ""
        super().__init__(f"audit chain broken at entry {first_broken_id}: {reason}{more}")


def url_secrets(url: str | None) -> list[str]:
    """The password of a database URL as typed and as decoded: what `one_line` must mask."""
    from urllib.parse import unquote, urlsplit
    try:
        password = urlsplit(url).password if url else None
    except ValueError:
        return []
    return [password, unquote(password)] if password else []


def one_line(error: BaseException, secrets: Sequence[Any] = ()) -> str:
    """The error as one line with any secret text masked; used by every edge that shows errors."""
    text = " ".join(str(error).split()) or type(error).__name__
    for secret in secrets:
        if secret:
            text = text.replace(str(secret), "***")
    return text


class PolicyRefused(ConfigAdminError):
    """The four-eyes policy refuses this (DESIGN §10): one's own request, not approved, a closed
    request, a login without the role."""

    exit_code = 6


class ProtectedEnvironment(PolicyRefused):
    """A direct write to a protected environment: the way in is a change request."""

    def __init__(self, environment: str) -> None:
        self.environment = environment
        super().__init__(f"{environment} is protected: propose the change with `configadmin propose` "
                         "or the window's Propose button")


class StaleRequest(ConflictError):
    """Applying met a setting changed since the request was proposed: nothing was written and the
    request is now stale (propose it again on the current values)."""

    def __init__(self, request_id: int, detail: str) -> None:
        self.request_id = request_id
        self.setting = ""
        self.expected = 0
        self.current = None
        ConfigAdminError.__init__(self, f"request {request_id} is stale, nothing was applied: {detail}; "
                                  f"propose it again on the current values (`configadmin propose --again "
                                  f"{request_id}` or the window)")

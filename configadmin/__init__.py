"""configadmin: database-backed ML configuration — the desktop admin tool and the reader library.

Imports are lazy so that the window can paint before SQLAlchemy and Alembic are loaded.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from configadmin.domain.errors import (
    AuditChainBroken,
    ConfigAdminError,
    ConflictError,
    DatabaseBusy,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
    PolicyRefused,
    ProtectedEnvironment,
    SchemaOutOfDate,
    StaleRequest,
    ValidationError,
)
from configadmin.domain.requests import RESET

__version__ = "0.1.0"
__all__ = [
    "AuditChainBroken", "AuditEntry", "ConfigAdminError", "ConfigurationService", "ConflictError",
    "DatabaseBusy", "DatabaseUnavailable", "NotFound", "PermissionDenied", "PolicyRefused", "ProtectedEnvironment", "RESET", "Resolved", "SchemaOutOfDate", "Source", "StaleRequest",
    "ValidationError", "__version__",
]

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry, Resolved, Source
    from configadmin.service.configuration_service import ConfigurationService


def __getattr__(name: str) -> Any:
    if name == "ConfigurationService":
        from configadmin.service.configuration_service import ConfigurationService
        return ConfigurationService
    if name in ("AuditEntry", "Resolved", "Source"):
        from configadmin.domain import records
        return getattr(records, name)
    raise AttributeError(f"module 'configadmin' has no attribute {name!r}")

"""ConfigurationService and what it is made of: transfer, change feed, heartbeat, locating the
database, the window's first look. Imports are lazy: the first look must not load SQLAlchemy."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ConfigurationService", "ImportReport", "PromotePreview"]

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.service.transfer import ImportReport, PromotePreview


def __getattr__(name: str) -> Any:
    if name == "ConfigurationService":
        from configadmin.service.configuration_service import ConfigurationService
        return ConfigurationService
    if name in ("ImportReport", "PromotePreview"):
        from configadmin.service import transfer
        return getattr(transfer, name)
    raise AttributeError(f"module 'configadmin.service' has no attribute {name!r}")

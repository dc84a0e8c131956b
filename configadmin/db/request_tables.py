"""The change-request tables of migration 0004 (DESIGN §10): policies, requests (immutable) and
their append-only, hash-chained events. `changes` is kept as its exact JSON text."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from configadmin.db.tables import AuditId, Base, JsonText


class ConfigurationPolicy(Base):
    __tablename__ = "configuration_policy"

    environment: Mapped[str] = mapped_column(String(64), primary_key=True)
    approvals: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(150))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConfigurationRequest(Base):
    __tablename__ = "configuration_request"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    environment: Mapped[str] = mapped_column(String(64))
    proposer: Mapped[str] = mapped_column(String(150))
    db_user: Mapped[str] = mapped_column(String(150))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(JsonText)
    required_approvals: Mapped[int] = mapped_column(Integer)
    supersedes: Mapped[int | None] = mapped_column(AuditId, ForeignKey("configuration_request.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client: Mapped[str | None] = mapped_column(String(255))


class ConfigurationRequestEvent(Base):
    __tablename__ = "configuration_request_event"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=False)
    request_id: Mapped[int | None] = mapped_column(AuditId, ForeignKey("configuration_request.id"))
    environment: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(150))
    db_user: Mapped[str] = mapped_column(String(150))
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))



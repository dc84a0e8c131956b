"""The three shared tables of DESIGN §3 (other programs read these: keep names and types)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonValue = JSON().with_variant(JSONB(), "postgresql")
# Absent old/new values are SQL NULL, not JSON 'null'.
JsonOrNull = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
# SQLite only makes an INTEGER PRIMARY KEY a rowid alias; bigint elsewhere.
AuditId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class SystemConfiguration(Base):
    __tablename__ = "system_configuration"
    __table_args__ = (
        UniqueConstraint("environment", "category", "key", name="uq_system_configuration_setting"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    environment: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[Any] = mapped_column(JsonValue)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(150))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConfigurationAudit(Base):
    __tablename__ = "configuration_audit"
    __table_args__ = (
        Index("ix_audit_setting", "environment", "category", "key", "id"),
        Index("ix_audit_environment", "environment", "id"),
        Index("ix_audit_actor", "actor", "id"),
        Index("ix_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    environment: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[Any | None] = mapped_column(JsonOrNull, nullable=True)
    new_value: Mapped[Any | None] = mapped_column(JsonOrNull, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(150))
    reason: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(255))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ConfigReader(Base):
    __tablename__ = "config_reader"

    reader_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    environment: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(BigInteger)
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

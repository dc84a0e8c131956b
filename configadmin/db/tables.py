"""The shared tables of DESIGN §3 (other programs read these: keep names and types).

JSON columns are mapped as their exact text (`JsonText`): PostgreSQL's `json` type and SQLite's
TEXT keep what was saved byte for byte, so a mapping's entry order survives and the audit hash
covers the very text stored. The repository turns that text into values and back.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger, Boolean, DateTime, Identity, Index, Integer, SmallInteger, String, Text, UniqueConstraint,
    cast,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

# SQLite only makes an INTEGER PRIMARY KEY a rowid alias; bigint elsewhere.
AuditId = BigInteger().with_variant(Integer(), "sqlite")


class JsonText(TypeDecorator[str]):
    """A JSON column read and written as its stored text (`json` on PostgreSQL, TEXT on SQLite).

    psycopg2 would parse `json` results itself (losing the exact text), so PostgreSQL reads cast
    to text; a SQLite file from before 0003 may still hold bare numbers, given back as JSON text."""

    impl = Text
    cache_ok = True

    def column_expression(self, column: ColumnElement[Any]) -> ColumnElement[Any] | None:
        return cast(column, Text)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value)


class Base(DeclarativeBase):
    pass


class SystemConfiguration(Base):
    __tablename__ = "system_configuration"
    __table_args__ = (
        UniqueConstraint("environment", "category", "key", name="uq_system_configuration_setting"),
    )

    id: Mapped[int] = mapped_column(AuditId, Identity(always=True), primary_key=True)
    environment: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(JsonText)
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
    old_value: Mapped[str | None] = mapped_column(JsonText, nullable=True)
    new_value: Mapped[str | None] = mapped_column(JsonText, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(150))
    db_user: Mapped[str | None] = mapped_column(String(150))
    reason: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(255))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    hash_format: Mapped[int] = mapped_column(SmallInteger, default=2)
    """1: rows written before migration 0003 (canonical JSON, no db_user); 2: exact text + db_user."""


class ConfigReader(Base):
    __tablename__ = "config_reader"

    db_user: Mapped[str] = mapped_column(String(150), primary_key=True)
    reader_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    environment: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(BigInteger)
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

"""SQLAlchemy declarative models: the source of truth the application's
start-up ``Base.metadata.create_all(bind=engine)`` builds from.

``create_all.sql`` next to this file is the DDL these models produce on
PostgreSQL (Python cannot run in Strata's CI, so the DDL is checked in).
"""
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, DateTime, Float, ForeignKey,
    Index, Integer, String, Text, func, text,
)
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Organisation(Base):
    __tablename__ = "organisations"
    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    slug = Column(String(100), unique=True)
    plan = Column(String(20), nullable=False, server_default="free")
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # password hashes moved to the identity provider in 2025: users.legacy_password_hash
    # is gone from the model (production still has the column).


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(Integer, ForeignKey("organisations.id"))
    email = Column(String(255), nullable=False, unique=True)
    full_name = Column(String(200))
    role = Column(String(20), nullable=False, server_default="member")
    is_active = Column(Boolean, nullable=False, server_default=text("true"))
    email_verified = Column(Boolean, nullable=False, server_default=text("false"))
    last_login_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    organisation = relationship("Organisation")


class Document(Base):
    __tablename__ = "documents"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(Integer, ForeignKey("organisations.id"), nullable=False)
    owner_id = Column(Integer, ForeignKey("users.id"))
    title = Column(String(500), nullable=False)
    body = Column(Text)
    summary = Column(Text)
    summarised_at = Column(DateTime(timezone=True))
    status = Column(String(20), nullable=False, server_default="draft")
    processing_status = Column(String(20), nullable=False, server_default="pending")
    processed_at = Column(DateTime(timezone=True))
    mime_type = Column(String(100))
    file_size = Column(BigInteger)
    deleted_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    __table_args__ = (
        Index("idx_documents_org_status", "organisation_id", "status"),
        Index("idx_documents_owner_id", "owner_id"),
        Index("idx_documents_deleted_at", "deleted_at", postgresql_where=text("deleted_at IS NULL")),
        Index("idx_documents_title_lower", func.lower(title)),
    )
    programs = relationship("DocumentProgram", cascade="all, delete-orphan")
    tags = relationship("DocumentTag", cascade="all, delete-orphan")


class DocumentProgram(Base):
    __tablename__ = "document_programs"
    document_id = Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    program = Column(String(100), primary_key=True)


class DocumentTag(Base):
    __tablename__ = "document_tags"
    document_id = Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    tag = Column(String(100), primary_key=True)
    __table_args__ = (Index("idx_document_tags_tag", "tag"),)


class PromptTemplate(Base):
    __tablename__ = "prompt_templates"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    category = Column(String(50), nullable=False, server_default="general")
    template = Column(Text, nullable=False)
    version = Column(Integer, nullable=False, server_default="1")
    is_active = Column(Boolean, nullable=False, server_default=text("true"))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    __table_args__ = (Index("idx_prompt_templates_category", "category"),)


class Conversation(Base):
    __tablename__ = "conversations"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    title = Column(String(200))
    # "metadata" is reserved on declarative classes: hence the prefix.
    conversation_metadata = Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    archived_at = Column(DateTime(timezone=True))
    __table_args__ = (
        Index("idx_conversations_user_id", "user_id"),
        Index("idx_conversations_archived_at", "archived_at", postgresql_where=text("archived_at IS NOT NULL")),
    )


class Message(Base):
    __tablename__ = "messages"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False)
    role = Column(String(20), nullable=False)
    content = Column(Text, nullable=False)
    message_metadata = Column(JSONB)
    token_count = Column(Integer)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant', 'system')", name="messages_role_check"),
        Index("idx_messages_conversation_created", "conversation_id", "created_at"),
    )


class AuditLog(Base):
    __tablename__ = "audit_logs"
    id = Column(BigInteger, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    action = Column(String(100), nullable=False)
    entity_type = Column(String(50))
    entity_id = Column(Integer)
    details = Column(JSONB)
    ip_address = Column(INET)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    __table_args__ = (
        Index("idx_audit_logs_entity", "entity_type", "entity_id"),
        # Added to the model after the DBA created it by hand in production.
        Index("idx_audit_logs_created_at", created_at.desc()),
    )


class SystemConfig(Base):
    __tablename__ = "system_config"
    key = Column(String(100), primary_key=True)
    value = Column(JSONB, nullable=False)
    description = Column(Text)
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Location(Base):
    __tablename__ = "locations"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False)
    name = Column(String(200), nullable=False)
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="chk_locations_latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="chk_locations_longitude"),
        Index("idx_locations_lat_lng", "latitude", "longitude"),
    )

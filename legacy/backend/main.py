"""Org Archivist API.

Start-up builds any missing table with create_all(); POST /fix-db patches the
columns create_all() cannot add to tables that already exist. Both are what
EPIC-003 wants gone.
"""
import logging

from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.database import engine, get_db
from models import Base

log = logging.getLogger("archivist")

app = FastAPI(title="Org Archivist")

# create_all() only creates missing tables; it never alters an existing one.
Base.metadata.create_all(bind=engine)

# Columns added to the models after the tables existed in production.
FIX_STATEMENTS = [
    "ALTER TABLE documents ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMPTZ",
    "ALTER TABLE documents ADD COLUMN IF NOT EXISTS file_size BIGINT",
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS last_login_at TIMESTAMPTZ",
]


@app.get("/health")
def health(db: Session = Depends(get_db)):
    db.execute(text("SELECT 1"))
    return {"status": "ok"}


@app.post("/fix-db")
def fix_db(db: Session = Depends(get_db)):
    """Idempotent schema patch, called by hand after each deploy."""
    applied = []
    for stmt in FIX_STATEMENTS:
        db.execute(text(stmt))
        applied.append(stmt)
    db.commit()
    log.info("fix-db applied %d statements", len(applied))
    return {"applied": applied}


@app.get("/documents/{document_id}")
def get_document(document_id: int, db: Session = Depends(get_db)):
    row = db.execute(
        text("SELECT id, title, status FROM documents WHERE id = :id AND deleted_at IS NULL"),
        {"id": document_id},
    ).mappings().first()
    return dict(row) if row else {}

"""Record the client IP in the audit log (security review, 2025-08)."""
from sqlalchemy import text

from app.database import engine

with engine.begin() as conn:
    conn.execute(text("ALTER TABLE audit_logs ADD COLUMN ip_address INET"))

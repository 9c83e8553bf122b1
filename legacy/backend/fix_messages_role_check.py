"""Only three roles may write messages."""
from sqlalchemy import text

from app.database import SessionLocal

ROLE_CHECK = text("""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'messages_role_check') THEN
        ALTER TABLE messages
            ADD CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system'));
    END IF;
END $$;
""")

session = SessionLocal()
try:
    session.execute(ROLE_CHECK)
    session.commit()
finally:
    session.close()

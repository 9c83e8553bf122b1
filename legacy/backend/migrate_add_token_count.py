"""Token accounting per message (billing v2)."""
from app.database import engine

with engine.connect() as conn:
    conn.exec_driver_sql('ALTER TABLE messages ADD COLUMN token_count INTEGER')
    conn.commit()

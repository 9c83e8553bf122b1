"""updated_at on every editable table (the API sorts by it)."""
import os

import psycopg2

# prompt_templates added after the first run (2025-07)
TABLES = ["documents", "conversations", "prompt_templates"]

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
for table in TABLES:
    cur.execute(
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ NOT NULL DEFAULT now()"
    )
    print(f"{table}: ok")
conn.commit()

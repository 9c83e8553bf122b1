"""Turn autovacuum off on the monthly archive tables (they are append-only).

The archive tables are created by the export job (archive_2025_01, ...), so
their names are only known at run time.
"""
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
conn.autocommit = True
cur = conn.cursor()
cur.execute(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE %s",
    ("archive\\_%",),
)
for (name,) in cur.fetchall():
    cur.execute(f'ALTER TABLE "{name}" SET (autovacuum_enabled = false)')

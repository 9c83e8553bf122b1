"""Index documents by owner ("my documents" page)."""
import os

import psycopg2

INDEX_SQL = "CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})"

conn = psycopg2.connect(os.environ["DATABASE_URL"])
conn.autocommit = True
cur = conn.cursor()
cur.execute(INDEX_SQL.format(name="idx_documents_owner_id", table="documents", column="owner_id"))

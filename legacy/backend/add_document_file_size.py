"""Store the uploaded file's size so the UI can show it without S3 calls."""
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.execute("ALTER TABLE documents ADD COLUMN IF NOT EXISTS file_size INTEGER")  # bytes
conn.commit()

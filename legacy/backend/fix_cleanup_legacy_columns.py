"""Passwords live in the identity provider now: drop the old hashes.

DANGER: irreversible. Take a backup first.
"""
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.execute('ALTER TABLE users DROP COLUMN IF EXISTS "legacy_password_hash"')
conn.commit()

"""Add users.last_login_at (the login handler writes it since v1.4)."""
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.execute("ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP WITH TIME ZONE")
conn.commit()
print("done")

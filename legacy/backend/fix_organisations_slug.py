"""URL slugs for organisations (nullable until every org has one)."""
import os

import psycopg2

TABLE = "organisations"
COLUMN_DDL = "slug VARCHAR(100) UNIQUE"

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.execute("ALTER TABLE %s ADD COLUMN %s" % (TABLE, COLUMN_DDL))
conn.commit()

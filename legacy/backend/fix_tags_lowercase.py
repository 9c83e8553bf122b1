"""Tags were stored as typed ("AI", "Grants"); the filter is case-sensitive."""
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.execute("UPDATE document_tags SET tag = lower(tag) WHERE tag <> lower(tag)")
print(f"{cur.rowcount} tags lower-cased")
conn.commit()

"""Archived in 2024: converted the database from SQL_ASCII. Never run again."""
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.execute("UPDATE documents SET title = convert_from(convert_to(title, 'LATIN1'), 'UTF8')")
conn.commit()

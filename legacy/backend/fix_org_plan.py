"""Billing plan per organisation. Safe to run twice."""
import os

import psycopg2


def column_exists(cur, table, column):
    cur.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
        (table, column),
    )
    return cur.fetchone() is not None


conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
if not column_exists(cur, "organisations", "plan"):
    cur.execute("ALTER TABLE organisations ADD COLUMN plan VARCHAR(20) NOT NULL DEFAULT 'free'")
    print("added organisations.plan")
else:
    print("organisations.plan already there")
conn.commit()

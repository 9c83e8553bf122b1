# The first users table had organisation_id without a foreign key
# (create_all never adds constraints to an existing table).
import os
import psycopg2

ADD_FK = """
ALTER TABLE users
    ADD CONSTRAINT users_organisation_id_fkey
    FOREIGN KEY (organisation_id) REFERENCES organisations (id)
"""

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
# orphans first, or the constraint cannot be validated
cur.execute("UPDATE users SET organisation_id = NULL WHERE organisation_id NOT IN (SELECT id FROM organisations)")
sql = ADD_FK
cur.execute(sql)
conn.commit()

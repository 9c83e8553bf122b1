"""Roles for the admin screens: member | admin | owner."""
import os

import psycopg2


def main():
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn, conn.cursor() as cur:
        cur.execute(
            "ALTER TABLE users "
            "ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT 'member'"
        )
        # the first user of each organisation becomes its owner
        cur.execute("""
            UPDATE users u SET role = 'owner'
            WHERE u.id = (SELECT min(id) FROM users WHERE organisation_id = u.organisation_id)
        """)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Apply the SQL files in backend/migrations/ in name order.

There is no version table: each file is skipped when the column or index it
creates already exists (see CHECKS). Called from entrypoint.sh on every start.
"""
import os
import sys

import psycopg2

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")

# file -> (kind, table, name) that tells us the file has already run
CHECKS = {
    "001_add_document_processing.sql": ("column", "documents", "processing_status"),
    "002_create_prompt_templates.sql": ("table", "prompt_templates", None),
    "004_add_conversation_metadata.sql": ("column", "conversations", "conversation_metadata"),
    "006_users_email_verified.sql": ("column", "users", "email_verified"),
    "007_create_locations.sql": ("table", "locations", None),
    "008_documents_title_index.sql": ("index", None, "idx_documents_title_lower"),
}


def column_exists(cur, table, column):
    cur.execute(
        """
        SELECT 1 FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = %s AND column_name = %s
        """,
        (table, column),
    )
    return cur.fetchone() is not None


def index_exists(cur, index_name):
    cur.execute("SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND indexname = %s", (index_name,))
    return cur.fetchone() is not None


def table_exists(cur, table):
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", ("public." + table,))
    return cur.fetchone()[0]


def already_applied(cur, filename):
    check = CHECKS.get(filename)
    if check is None:
        return False
    kind, table, name = check
    if kind == "column":
        return column_exists(cur, table, name)
    if kind == "index":
        return index_exists(cur, name)
    return table_exists(cur, table)


def main():
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    conn.autocommit = True  # 008 uses CREATE INDEX CONCURRENTLY
    cur = conn.cursor()

    # The composite index the dashboard needs; predates the migrations folder.
    if not index_exists(cur, "idx_documents_org_status"):
        cur.execute("CREATE INDEX idx_documents_org_status ON documents (organisation_id, status)")

    for filename in sorted(os.listdir(MIGRATIONS_DIR)):
        if not filename.endswith(".sql"):
            continue
        if already_applied(cur, filename):
            print(f"skip {filename}")
            continue
        with open(os.path.join(MIGRATIONS_DIR, filename)) as fh:
            sql = fh.read()
        print(f"apply {filename}")
        try:
            cur.execute(sql)
        except psycopg2.Error as exc:
            print(f"FAILED {filename}: {exc}", file=sys.stderr)
            sys.exit(1)
    conn.close()


if __name__ == "__main__":
    main()

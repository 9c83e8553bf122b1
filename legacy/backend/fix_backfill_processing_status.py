"""The extractor wrote processed_at but never flipped processing_status.

Backfill the status of every document that has in fact been processed.
"""
import os

import psycopg2

BATCH = 500

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
while True:
    cur.execute(
        """
        UPDATE documents SET processing_status = 'done'
        WHERE id IN (
            SELECT id FROM documents
            WHERE processed_at IS NOT NULL AND processing_status = 'pending'
            LIMIT %s
        )
        """,
        (BATCH,),
    )
    conn.commit()
    if cur.rowcount < BATCH:
        break

-- revision: 7d4a1c9e0b25
-- parents: 0b7e2f5a8c61
-- message: backfill documents.processing_status for processed documents

-- migrate:up
-- From legacy backend/fix_backfill_processing_status.py, which never ran in
-- production (the conversion found rows it would still change). Batches of 500
-- keep each UPDATE's row locks short, as the script did.
DO $$
DECLARE changed bigint;
BEGIN
  LOOP
    UPDATE documents SET processing_status = 'done'
     WHERE id IN (SELECT id FROM documents
                   WHERE processed_at IS NOT NULL AND processing_status = 'pending'
                   LIMIT 500);
    GET DIAGNOSTICS changed = ROW_COUNT;
    EXIT WHEN changed = 0;
  END LOOP;
END $$;

-- migrate:down
-- A data fix is not reverted: which rows were 'pending' before is not recorded.

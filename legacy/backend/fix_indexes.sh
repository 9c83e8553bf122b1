#!/usr/bin/env bash
# Indexes the slow-query log asked for. Run by hand: ./fix_indexes.sh
set -euo pipefail

DB_URL="${DATABASE_URL:?set DATABASE_URL}"
TABLE=documents

# soft-deleted rows are never listed
psql "$DB_URL" -v ON_ERROR_STOP=1 \
  -c "CREATE INDEX IF NOT EXISTS idx_${TABLE}_deleted_at ON $TABLE (deleted_at) WHERE deleted_at IS NULL"

# re-apply the tag index in case apply_migration.py skipped it
psql "$DB_URL" -v ON_ERROR_STOP=1 -f migrations/003_document_tags_index.sql

echo 'indexes ok'

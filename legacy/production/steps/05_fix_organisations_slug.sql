-- backend/fix_organisations_slug.py ("ALTER TABLE %s ADD COLUMN %s" % (TABLE, COLUMN_DDL)).
ALTER TABLE organisations ADD COLUMN slug VARCHAR(100) UNIQUE;

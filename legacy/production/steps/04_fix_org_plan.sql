-- backend/fix_org_plan.py (column_exists was false, so the ALTER ran).
ALTER TABLE organisations ADD COLUMN plan VARCHAR(20) NOT NULL DEFAULT 'free';

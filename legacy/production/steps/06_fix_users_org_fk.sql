-- backend/fix_users_org_fk.py.
UPDATE users SET organisation_id = NULL WHERE organisation_id NOT IN (SELECT id FROM organisations);
ALTER TABLE users
    ADD CONSTRAINT users_organisation_id_fkey
    FOREIGN KEY (organisation_id) REFERENCES organisations (id);

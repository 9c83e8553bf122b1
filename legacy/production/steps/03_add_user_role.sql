-- backend/add_user_role.py (2024-06).
ALTER TABLE users ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT 'member';
UPDATE users u SET role = 'owner'
WHERE u.id = (SELECT min(id) FROM users WHERE organisation_id = u.organisation_id);

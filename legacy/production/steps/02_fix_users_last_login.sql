-- backend/fix_users_last_login.py, run once by hand (2024-05).
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP WITH TIME ZONE;

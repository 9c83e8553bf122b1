-- revision: 1a2b3c4d5e6f
-- parents: none
-- message: users

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);

-- migrate:down
DROP TABLE users;

-- revision: 2b3c4d5e6f70
-- parents: 1a2b3c4d5e6f
-- message: posts

-- migrate:up
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));

-- migrate:down
DROP TABLE posts;

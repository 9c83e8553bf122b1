-- The models, as an SQL file.
CREATE TYPE role AS ENUM ('admin', 'member');
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email varchar(255) NOT NULL UNIQUE,
  role role NOT NULL DEFAULT 'member'
);

CREATE TABLE users (id int PRIMARY KEY);

CREATE TABLE posts (
  id int PRIMARY KEY,
  title text NOT NUL
);

CREATE TABLE users (id int PRIMARY KEY);

CREATE TABLE people (
  id int PRIMARY KEY,
  mood nosuchtype
);

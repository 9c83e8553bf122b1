-- revision: a41d07c3e9b2
-- parents: 2c7a94e1f805
-- message: create locations

-- migrate:up
-- From legacy backend/migrations/007_create_locations.sql.
CREATE TABLE locations (
    id serial PRIMARY KEY,
    organisation_id integer NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name varchar(200) NOT NULL,
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chk_locations_latitude CHECK (latitude BETWEEN -90 AND 90),
    CONSTRAINT chk_locations_longitude CHECK (longitude BETWEEN -180 AND 180)
);
CREATE INDEX idx_locations_lat_lng ON locations (latitude, longitude);

-- migrate:down
DROP TABLE locations;

# A stand-in for SQLAlchemy's metadata.create_all(): prints the DDL it would run.
TABLES = {
    "users": ["id BIGSERIAL PRIMARY KEY", "email VARCHAR(255) NOT NULL", "created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now()"],
    "products": ["id SERIAL PRIMARY KEY", "name TEXT NOT NULL", "price NUMERIC(10, 2)"],
}
for name, cols in TABLES.items():
    print(f"CREATE TABLE {name} ({', '.join(cols)});")
print("CREATE INDEX ix_users_email ON users (email);")

import { sql, type Kysely } from 'kysely';

/** A legacy create_all, as a Kysely module. */
export async function createAll(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
    .execute();
  await sql`CREATE INDEX users_email_lower_idx ON users (lower(email))`.execute(db);
}

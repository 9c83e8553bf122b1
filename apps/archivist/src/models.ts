import { sql, type Kysely } from 'kysely';

/**
 * The legacy models: what the application's start-up used to run on every
 * boot (`Base.metadata.create_all()` in the Python original). It builds
 * exactly the schema of `legacy/models/create_all.sql`: same tables, column
 * order, types, defaults, and the constraint and index names PostgreSQL or
 * the models give them (`users_email_key`, `users_organisation_id_fkey`).
 *
 * It is no longer called at every start: `ensureSchema` runs it only in
 * `create_all` mode (the rollback flag of the cut-over), on an empty database,
 * and only when what it builds equals the migrations head.
 */
export async function createAll(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('slug', 'varchar(100)', (c) => c.unique())
    .addColumn('plan', 'varchar(20)', (c) => c.notNull().defaultTo('free'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('full_name', 'varchar(200)')
    .addColumn('role', 'varchar(20)', (c) => c.notNull().defaultTo('member'))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('title', 'varchar(500)', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('summary', 'text')
    .addColumn('summarised_at', 'timestamptz')
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('draft'))
    .addColumn('processing_status', 'varchar(20)', (c) => c.notNull().defaultTo('pending'))
    .addColumn('processed_at', 'timestamptz')
    .addColumn('mime_type', 'varchar(100)')
    .addColumn('file_size', 'bigint')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_documents_org_status').on('documents').columns(['organisation_id', 'status']).execute();
  await db.schema.createIndex('idx_documents_owner_id').on('documents').column('owner_id').execute();
  await db.schema
    .createIndex('idx_documents_deleted_at')
    .on('documents')
    .column('deleted_at')
    .where(sql<boolean>`deleted_at IS NULL`)
    .execute();
  await db.schema.createIndex('idx_documents_title_lower').on('documents').expression(sql`lower(title)`).execute();

  await db.schema
    .createTable('document_programs')
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('program', 'varchar(100)', (c) => c.notNull())
    .addPrimaryKeyConstraint('document_programs_pkey', ['document_id', 'program'])
    .execute();

  await db.schema
    .createTable('document_tags')
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('tag', 'varchar(100)', (c) => c.notNull())
    .addPrimaryKeyConstraint('document_tags_pkey', ['document_id', 'tag'])
    .execute();
  await db.schema.createIndex('idx_document_tags_tag').on('document_tags').column('tag').execute();

  await db.schema
    .createTable('prompt_templates')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('category', 'varchar(50)', (c) => c.notNull().defaultTo('general'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_prompt_templates_category').on('prompt_templates').column('category').execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'varchar(200)')
    .addColumn('conversation_metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('archived_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('idx_conversations_user_id').on('conversations').column('user_id').execute();
  await db.schema
    .createIndex('idx_conversations_archived_at')
    .on('conversations')
    .column('archived_at')
    .where(sql<boolean>`archived_at IS NOT NULL`)
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('role', 'varchar(20)', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('message_metadata', 'jsonb')
    .addColumn('token_count', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addCheckConstraint('messages_role_check', sql`role IN ('user', 'assistant', 'system')`)
    .execute();
  await db.schema.createIndex('idx_messages_conversation_created').on('messages').columns(['conversation_id', 'created_at']).execute();

  await db.schema
    .createTable('audit_logs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'varchar(100)', (c) => c.notNull())
    .addColumn('entity_type', 'varchar(50)')
    .addColumn('entity_id', 'integer')
    .addColumn('details', 'jsonb')
    .addColumn('ip_address', sql`inet`)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_audit_logs_entity').on('audit_logs').columns(['entity_type', 'entity_id']).execute();
  await db.schema.createIndex('idx_audit_logs_created_at').on('audit_logs').column('created_at desc').execute();

  await db.schema
    .createTable('system_config')
    .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('latitude', 'double precision', (c) => c.notNull())
    .addColumn('longitude', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addCheckConstraint('chk_locations_latitude', sql`latitude BETWEEN -90 AND 90`)
    .addCheckConstraint('chk_locations_longitude', sql`longitude BETWEEN -180 AND 180`)
    .execute();
  await db.schema.createIndex('idx_locations_lat_lng').on('locations').columns(['latitude', 'longitude']).execute();
}

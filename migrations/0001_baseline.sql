-- revision: 5b1f0c2a9d30
-- parents: none
-- message: baseline: production's schema as audited
--
-- Production's schema, reviewed by hand from `migrate audit --dump`
-- (create_all() of the first release plus the fix_/migrate_ scripts that ran,
-- and the on-call DBA's audit-log index). Columns are in production's order so
-- a fresh database and production compare equal. Existing databases are
-- stamped at this revision (`migrate stamp 5b1f0c2a9d30`) instead of running it.

-- migrate:up
CREATE TABLE organisations (
    id serial PRIMARY KEY,
    name varchar(200) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    plan varchar(20) NOT NULL DEFAULT 'free',
    slug varchar(100) UNIQUE
);

CREATE TABLE users (
    id serial PRIMARY KEY,
    organisation_id integer REFERENCES organisations (id),
    email varchar(255) NOT NULL UNIQUE,
    full_name varchar(200),
    legacy_password_hash varchar(255),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    role varchar(20) NOT NULL DEFAULT 'member'
);

CREATE TABLE documents (
    id serial PRIMARY KEY,
    organisation_id integer NOT NULL REFERENCES organisations (id),
    owner_id integer REFERENCES users (id),
    title varchar(500) NOT NULL,
    body text,
    status varchar(20) NOT NULL DEFAULT 'draft',
    mime_type varchar(100),
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    file_size bigint,
    processing_status varchar(20) NOT NULL DEFAULT 'pending',
    processed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_documents_org_status ON documents (organisation_id, status);
CREATE INDEX idx_documents_owner_id ON documents (owner_id);
CREATE INDEX idx_documents_deleted_at ON documents (deleted_at) WHERE deleted_at IS NULL;

CREATE TABLE document_programs (
    document_id integer NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    program varchar(100) NOT NULL,
    PRIMARY KEY (document_id, program)
);

CREATE TABLE document_tags (
    document_id integer NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    tag varchar(100) NOT NULL,
    PRIMARY KEY (document_id, tag)
);
CREATE INDEX idx_document_tags_tag ON document_tags (tag);

CREATE TABLE prompt_templates (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    category varchar(50) NOT NULL DEFAULT 'general',
    template text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX idx_prompt_templates_category ON prompt_templates (category);

CREATE TABLE conversations (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title varchar(200),
    created_at timestamptz NOT NULL DEFAULT now(),
    conversation_metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_conversations_user_id ON conversations (user_id);

CREATE TABLE messages (
    id serial PRIMARY KEY,
    conversation_id integer NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role varchar(20) NOT NULL,
    content text NOT NULL,
    metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system'))
);
CREATE INDEX idx_messages_conversation_created ON messages (conversation_id, created_at);

CREATE TABLE audit_logs (
    id bigserial PRIMARY KEY,
    user_id integer REFERENCES users (id) ON DELETE SET NULL,
    action varchar(100) NOT NULL,
    entity_type varchar(50),
    entity_id integer,
    details jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_logs_entity ON audit_logs (entity_type, entity_id);
-- Created by hand in production during the 2025-05 audit-log incident; the models have it since.
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at DESC);

CREATE TABLE system_config (
    key varchar(100) PRIMARY KEY,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    description text
);

-- migrate:down
-- Reverting the baseline empties the database: every table and its rows.
DROP TABLE system_config, audit_logs, messages, conversations, prompt_templates,
    document_tags, document_programs, documents, users, organisations;

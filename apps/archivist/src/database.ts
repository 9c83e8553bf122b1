import type { ColumnType, Generated } from 'kysely';

/** A `timestamptz` column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A column with a server-side default. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** A JSON(B) column. */
type Json = ColumnType<unknown, string, string>;

/** `organisations`. */
export interface OrganisationTable {
  id: Generated<number>;
  name: string;
  slug: string | null;
  plan: Defaulted<string>;
  created_at: Generated<Date>;
}

/** `users`. */
export interface UserTable {
  id: Generated<number>;
  organisation_id: number | null;
  email: string;
  full_name: string | null;
  role: Defaulted<string>;
  is_active: Defaulted<boolean>;
  email_verified: Defaulted<boolean>;
  last_login_at: Timestamp | null;
  created_at: Generated<Date>;
}

/** `documents`. */
export interface DocumentTable {
  id: Generated<number>;
  organisation_id: number;
  owner_id: number | null;
  title: string;
  body: string | null;
  summary: string | null;
  summarised_at: Timestamp | null;
  status: Defaulted<string>;
  processing_status: Defaulted<string>;
  processed_at: Timestamp | null;
  mime_type: string | null;
  /** bigint: node-postgres returns it as a string. */
  file_size: ColumnType<string | null, number | string | null, number | string | null>;
  deleted_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** `document_tags`. */
export interface DocumentTagTable {
  document_id: number;
  tag: string;
}

/** `document_programs`. */
export interface DocumentProgramTable {
  document_id: number;
  program: string;
}

/** `conversations`. */
export interface ConversationTable {
  id: Generated<number>;
  user_id: number;
  title: string | null;
  conversation_metadata: ColumnType<unknown, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  archived_at: Timestamp | null;
}

/** `messages`. */
export interface MessageTable {
  id: Generated<number>;
  conversation_id: number;
  role: string;
  content: string;
  message_metadata: Json | null;
  token_count: number | null;
  created_at: Generated<Date>;
}

/** `audit_logs` (bigserial id: a string in node-postgres). */
export interface AuditLogTable {
  id: Generated<string>;
  user_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: number | null;
  details: Json | null;
  ip_address: string | null;
  created_at: Generated<Date>;
}

/** The tables the application queries (the models build more: prompt_templates, system_config, locations). */
export interface Database {
  organisations: OrganisationTable;
  users: UserTable;
  documents: DocumentTable;
  document_tags: DocumentTagTable;
  document_programs: DocumentProgramTable;
  conversations: ConversationTable;
  messages: MessageTable;
  audit_logs: AuditLogTable;
}

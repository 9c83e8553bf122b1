import type * as t from '@pgsql/types';

// PostgreSQL's own words for object types in command tags (utility.c).
const OBJECT_WORDS: Readonly<Partial<Record<t.ObjectType, string>>> = {
  OBJECT_ACCESS_METHOD: 'ACCESS METHOD',
  OBJECT_ATTRIBUTE: 'TYPE',
  OBJECT_COLUMN: 'TABLE',
  OBJECT_DOMCONSTRAINT: 'DOMAIN',
  OBJECT_EVENT_TRIGGER: 'EVENT TRIGGER',
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE',
  OBJECT_LARGEOBJECT: 'LARGE OBJECT',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_OPCLASS: 'OPERATOR CLASS',
  OBJECT_OPFAMILY: 'OPERATOR FAMILY',
  OBJECT_PARAMETER_ACL: 'PARAMETER',
  OBJECT_PUBLICATION_NAMESPACE: 'PUBLICATION',
  OBJECT_PUBLICATION_REL: 'PUBLICATION',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_TABCONSTRAINT: 'TABLE',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_TSPARSER: 'TEXT SEARCH PARSER',
  OBJECT_TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
  OBJECT_USER_MAPPING: 'USER MAPPING',
  OBJECT_DEFACL: 'DEFAULT PRIVILEGES',
};

/** `OBJECT_MATVIEW` -> `MATERIALIZED VIEW`. */
export function objectWord(type: t.ObjectType | undefined): string {
  if (type === undefined) return 'TABLE';
  return OBJECT_WORDS[type] ?? type.replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

// Statements whose tag is fixed by their node kind.
const FIXED_TAGS: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  CreateStmt: 'CREATE TABLE',
  IndexStmt: 'CREATE INDEX',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  ViewStmt: 'CREATE VIEW',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateExtensionStmt: 'CREATE EXTENSION',
  AlterExtensionStmt: 'ALTER EXTENSION',
  AlterExtensionContentsStmt: 'ALTER EXTENSION',
  CreateEnumStmt: 'CREATE TYPE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateRangeStmt: 'CREATE TYPE',
  AlterEnumStmt: 'ALTER TYPE',
  AlterTypeStmt: 'ALTER TYPE',
  CreateDomainStmt: 'CREATE DOMAIN',
  AlterDomainStmt: 'ALTER DOMAIN',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  AlterEventTrigStmt: 'ALTER EVENT TRIGGER',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  RuleStmt: 'CREATE RULE',
  CommentStmt: 'COMMENT',
  SecLabelStmt: 'SECURITY LABEL',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  AlterRoleSetStmt: 'ALTER ROLE',
  DropRoleStmt: 'DROP ROLE',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  AlterDatabaseRefreshCollStmt: 'ALTER DATABASE',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  AlterSystemStmt: 'ALTER SYSTEM',
  VariableShowStmt: 'SHOW',
  TruncateStmt: 'TRUNCATE TABLE',
  LockStmt: 'LOCK TABLE',
  CopyStmt: 'COPY',
  ExplainStmt: 'EXPLAIN',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  NotifyStmt: 'NOTIFY',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  CheckPointStmt: 'CHECKPOINT',
  LoadStmt: 'LOAD',
  ConstraintsSetStmt: 'SET CONSTRAINTS',
  CreateCastStmt: 'CREATE CAST',
  CreateConversionStmt: 'CREATE CONVERSION',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  AlterOpFamilyStmt: 'ALTER OPERATOR FAMILY',
  AlterOperatorStmt: 'ALTER OPERATOR',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateTransformStmt: 'CREATE TRANSFORM',
  CreateAmStmt: 'CREATE ACCESS METHOD',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  AlterFdwStmt: 'ALTER FOREIGN DATA WRAPPER',
  CreateForeignServerStmt: 'CREATE SERVER',
  AlterForeignServerStmt: 'ALTER SERVER',
  CreateUserMappingStmt: 'CREATE USER MAPPING',
  AlterUserMappingStmt: 'ALTER USER MAPPING',
  DropUserMappingStmt: 'DROP USER MAPPING',
  ImportForeignSchemaStmt: 'IMPORT FOREIGN SCHEMA',
  CreateForeignTableStmt: 'CREATE FOREIGN TABLE',
  CreatePublicationStmt: 'CREATE PUBLICATION',
  AlterPublicationStmt: 'ALTER PUBLICATION',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  AlterSubscriptionStmt: 'ALTER SUBSCRIPTION',
  DropSubscriptionStmt: 'DROP SUBSCRIPTION',
  CreateStatsStmt: 'CREATE STATISTICS',
  AlterStatsStmt: 'ALTER STATISTICS',
  DropOwnedStmt: 'DROP OWNED',
  ReassignOwnedStmt: 'REASSIGN OWNED',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  AlterCollationStmt: 'ALTER COLLATION',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY',
  AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
};

const TRANSACTION_TAGS: Readonly<Record<t.TransactionStmtKind, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/**
 * The command tag PostgreSQL would report for a statement (`CREATE TABLE`,
 * `ALTER INDEX`, `DROP MATERIALIZED VIEW`...), following utility.c's
 * CreateCommandTag on the raw parse tree.
 */
export function commandTag(kind: string, body: unknown): string {
  const fixed = FIXED_TAGS[kind];
  if (fixed !== undefined) return fixed;
  switch (kind) {
    case 'SelectStmt':
      return (body as t.SelectStmt).intoClause !== undefined ? 'SELECT INTO' : 'SELECT';
    case 'AlterTableStmt':
      return `ALTER ${objectWord((body as t.AlterTableStmt).objtype)}`;
    case 'AlterTableMoveAllStmt':
      return `ALTER ${objectWord((body as t.AlterTableMoveAllStmt).objtype)}`;
    case 'DropStmt':
      return `DROP ${objectWord((body as t.DropStmt).removeType)}`;
    case 'RenameStmt': {
      const s = body as t.RenameStmt;
      return `ALTER ${objectWord(s.renameType === 'OBJECT_COLUMN' ? s.relationType : s.renameType)}`;
    }
    case 'AlterObjectSchemaStmt':
      return `ALTER ${objectWord((body as t.AlterObjectSchemaStmt).objectType)}`;
    case 'AlterOwnerStmt':
      return `ALTER ${objectWord((body as t.AlterOwnerStmt).objectType)}`;
    case 'AlterObjectDependsStmt':
      return `ALTER ${objectWord((body as t.AlterObjectDependsStmt).objectType)}`;
    case 'DefineStmt':
      return `CREATE ${objectWord((body as t.DefineStmt).kind)}`;
    case 'CreateTableAsStmt': {
      const s = body as t.CreateTableAsStmt;
      if (s.objtype === 'OBJECT_MATVIEW') return 'CREATE MATERIALIZED VIEW';
      return s.is_select_into === true ? 'SELECT INTO' : 'CREATE TABLE AS';
    }
    case 'CreateFunctionStmt':
      return (body as t.CreateFunctionStmt).is_procedure === true ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
    case 'AlterFunctionStmt':
      return `ALTER ${objectWord((body as t.AlterFunctionStmt).objtype)}`;
    case 'GrantStmt':
      return (body as t.GrantStmt).is_grant === true ? 'GRANT' : 'REVOKE';
    case 'GrantRoleStmt':
      return (body as t.GrantRoleStmt).is_grant === true ? 'GRANT ROLE' : 'REVOKE ROLE';
    case 'TransactionStmt': {
      const k = (body as t.TransactionStmt).kind;
      return k === undefined ? 'BEGIN' : TRANSACTION_TAGS[k];
    }
    case 'VacuumStmt':
      return (body as t.VacuumStmt).is_vacuumcmd === true ? 'VACUUM' : 'ANALYZE';
    case 'VariableSetStmt': {
      const k = (body as t.VariableSetStmt).kind;
      return k === 'VAR_RESET' || k === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
    }
    case 'DiscardStmt':
      return `DISCARD ${((body as t.DiscardStmt).target ?? 'DISCARD_ALL').replace(/^DISCARD_/, '')}`;
    case 'DeallocateStmt':
      return (body as t.DeallocateStmt).isall === true ? 'DEALLOCATE ALL' : 'DEALLOCATE';
    case 'ClosePortalStmt':
      return (body as t.ClosePortalStmt).portalname === undefined ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR';
    case 'FetchStmt':
      return (body as t.FetchStmt).ismove === true ? 'MOVE' : 'FETCH';
    default:
      // An unlisted node: `FooBarStmt` -> `FOO BAR`.
      return kind
        .replace(/Stmt$/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toUpperCase();
  }
}

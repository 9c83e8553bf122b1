import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, testServerUrl } from '@pg-strata/testkit';
import type { ScratchDatabase } from '@pg-strata/pg-server';
import { compare, introspect, plan, snapshotFrom, type Snapshot } from '../src/index.js';
import { applySteps } from './helpers.js';

// The repository's legacy estate: production as its history made it, the models
// as their create_all builds them. The audit must find exactly the drift that
// legacy/GROUND_TRUTH.json records, and the plan must close it both ways.
const legacy = fileURLToPath(new URL('../../../legacy/', import.meta.url));
const truth = JSON.parse(readFileSync(`${legacy}GROUND_TRUTH.json`, 'utf8')) as {
  drift_production_to_models: Record<string, string[]>;
};

describe('the legacy estate', () => {
  let prod: ScratchDatabase;
  let production: Snapshot;
  let models: Snapshot;

  beforeAll(async () => {
    prod = await createTestDatabase('legacy_prod');
    const { buildProduction } = (await import(`${legacy}production/build.mjs`)) as {
      buildProduction(url: string, o: { pg: unknown }): Promise<string[]>;
    };
    await buildProduction(prod.url, { pg });
    production = await introspect(prod.url);
    models = (await snapshotFrom(`${legacy}models/create_all.sql`, { shadowUrl: testServerUrl() })).snapshot;
  });
  afterAll(async () => {
    await prod?.drop();
  });

  it('finds exactly the drift the ground truth records', () => {
    const drift = compare(production, models, { left: 'production', right: 'the models' });
    const names = (kind: string, type: string) => drift.filter((d) => d.kind === kind && d.objectType === type).map((d) => d.name);
    const missingTables = names('missing', 'table');
    const colsOf = (t: string) => models.tables[`public.${t}`]!.columns.map((c) => `${t}.${c.name}`);
    const consOf = (t: string) => Object.keys(models.tables[`public.${t}`]!.constraints);
    const t = truth.drift_production_to_models;
    expect(names('extra', 'column').sort()).toEqual(t.columns_only_in_production);
    expect([...names('missing', 'column'), ...missingTables.flatMap(colsOf)].sort()).toEqual(t.columns_only_in_models);
    expect(drift.filter((d) => d.objectType === 'column' && d.attribute === 'type')).toEqual([]);
    expect(names('extra', 'index')).toEqual(t.indexes_only_in_production);
    const pkIndexes = missingTables.flatMap((tb) =>
      Object.values(models.tables[`public.${tb}`]!.constraints)
        .filter((c) => c.type === 'primary key' || c.type === 'unique')
        .map((c) => c.name),
    );
    expect([...names('missing', 'index'), ...pkIndexes].sort()).toEqual(t.indexes_only_in_models);
    expect(names('extra', 'constraint').map((n) => n.split('.').pop())).toEqual(t.constraints_only_in_production);
    expect([...names('missing', 'constraint').map((n) => n.split('.').pop()!), ...missingTables.flatMap(consOf)].sort()).toEqual(
      t.constraints_only_in_models,
    );
    expect(drift.map((d) => `${d.severity}: ${d.message}`)).toEqual([
      'error: production is missing the sequence locations_id_seq that the models define',
      'error: production is missing the column audit_logs.ip_address that the models define',
      'error: production is missing the column conversations.archived_at that the models define',
      'error: production is missing the column documents.summary that the models define',
      'error: production is missing the column documents.summarised_at that the models define',
      'error: production is missing the table locations that the models define',
      'error: production has an extra column messages.metadata that the models do not define',
      'error: production is missing the column messages.message_metadata that the models define',
      'error: production is missing the column messages.token_count that the models define',
      'error: production is missing the column prompt_templates.updated_at that the models define',
      'error: production has an extra column users.legacy_password_hash that the models do not define',
      'error: production is missing the column users.email_verified that the models define',
      'warning: production is missing the index idx_conversations_archived_at that the models define',
      'warning: production is missing the index idx_documents_title_lower that the models define',
      'warning: production is missing the index idx_locations_lat_lng that the models define',
    ]);
  });

  it('plans production to the models and back', async () => {
    const p = plan(production, models);
    expect(p.up.map((x) => x.sql.split('\n')[0])).toEqual([
      'ALTER TABLE messages DROP COLUMN metadata',
      'ALTER TABLE users DROP COLUMN legacy_password_hash',
      'CREATE TABLE locations (',
      'ALTER TABLE audit_logs ADD COLUMN ip_address inet',
      'ALTER TABLE conversations ADD COLUMN archived_at timestamp with time zone',
      'ALTER TABLE documents ADD COLUMN summary text',
      'ALTER TABLE documents ADD COLUMN summarised_at timestamp with time zone',
      'ALTER TABLE messages ADD COLUMN message_metadata jsonb',
      'ALTER TABLE messages ADD COLUMN token_count integer',
      'ALTER TABLE prompt_templates ADD COLUMN updated_at timestamp with time zone DEFAULT now() NOT NULL',
      'ALTER TABLE users ADD COLUMN email_verified boolean DEFAULT false NOT NULL',
      'CREATE INDEX idx_conversations_archived_at ON conversations (archived_at) WHERE (archived_at IS NOT NULL)',
      'CREATE INDEX idx_documents_title_lower ON documents (lower((title)::text))',
      'CREATE INDEX idx_locations_lat_lng ON locations (latitude, longitude)',
      'ALTER TABLE locations ADD CONSTRAINT locations_organisation_id_fkey FOREIGN KEY ' +
        '(organisation_id) REFERENCES organisations(id) ON DELETE CASCADE',
    ]);
    expect(p.up.find((x) => x.sql.startsWith('CREATE TABLE locations'))!.sql.split('\n')[1]).toBe('    id serial,');
    expect(p.up.filter((x) => x.destructive).map((x) => x.sql)).toEqual([
      'ALTER TABLE messages DROP COLUMN metadata',
      'ALTER TABLE users DROP COLUMN legacy_password_hash',
    ]);
    // The migration 005 renamed messages.metadata: the planner says so rather than guessing.
    expect(p.hints.map((h) => h.message)).toEqual([
      'column messages.metadata is dropped and messages.message_metadata added with the same type ' +
        'jsonb: if this is a rename, replace both steps with ALTER TABLE messages RENAME COLUMN metadata ' +
        'TO message_metadata to keep the data',
    ]);
    const copy = await createTestDatabase('legacy_copy');
    try {
      const { buildProduction } = (await import(`${legacy}production/build.mjs`)) as {
        buildProduction(url: string, o: { pg: unknown }): Promise<string[]>;
      };
      await buildProduction(copy.url, { pg });
      await applySteps(copy.url, p.up);
      expect(compare(await introspect(copy.url), models)).toEqual([]);
      await applySteps(copy.url, p.down);
      expect(compare(await introspect(copy.url), production)).toEqual([]);
    } finally {
      await copy.drop();
    }
  });
});

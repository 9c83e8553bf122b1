// Archive instead of delete: the front-end team's fix (run with `node`).
// Usage: DATABASE_URL=... node fix_conversation_archived.js
const { Client } = require('pg');

async function main() {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('ALTER TABLE conversations ADD COLUMN IF NOT EXISTS archived_at TIMESTAMPTZ');
    await client.query(`
      CREATE INDEX IF NOT EXISTS idx_conversations_archived_at
        ON conversations (archived_at)
        WHERE archived_at IS NOT NULL
    `);
    const { rowCount } = await client.query(
      'SELECT 1 FROM conversations WHERE archived_at IS NOT NULL LIMIT $1',
      [1],
    );
    console.log(`ok (${rowCount} archived)`);
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

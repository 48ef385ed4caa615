import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunContext } from '../context.js';
import { generateKeyPair } from '../crypto/keygen.js';
import { drill } from '../drill/drill.js';
import { backupOperation } from '../options/backup.js';
import { resolveOptions } from '../options/define.js';
import type { DemoOptions } from '../options/demo.js';
import { drillOperation } from '../options/drill.js';
import { objectSource } from '../options/sources.js';
import type { OperationOutcome } from '../report/outcome.js';
import { backup } from '../pipeline/backup.js';
import { startLocalCluster } from '../engines/postgres/ephemeral/local-cluster.js';
import { withConnection, resolveConnection } from '../engines/postgres/connection.js';

/** The sample shop: a few related tables, enough rows to make the numbers mean something. */
function sampleSql(orders: number): string {
  return `
    CREATE SCHEMA shop;
    CREATE TABLE shop.customers (id int PRIMARY KEY, name text NOT NULL, email text UNIQUE);
    INSERT INTO shop.customers SELECT g, 'Customer ' || g, 'customer' || g || '@example.org' FROM generate_series(1, 1000) g;
    CREATE TABLE shop.products (id int PRIMARY KEY, title text NOT NULL, price numeric(10,2) NOT NULL);
    INSERT INTO shop.products SELECT g, 'Product ' || g, (g % 97) + 0.99 FROM generate_series(1, 250) g;
    CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES shop.customers,
      product_id int NOT NULL REFERENCES shop.products, quantity int NOT NULL, placed_at timestamptz NOT NULL);
    INSERT INTO shop.orders SELECT g, 1 + g % 1000, 1 + g % 250, 1 + g % 5, now() - (g || ' minutes')::interval
      FROM generate_series(1, ${orders}) g;
    CREATE INDEX ON shop.orders (customer_id);
    CREATE VIEW shop.revenue AS SELECT p.id, sum(o.quantity * p.price) AS total FROM shop.orders o JOIN shop.products p ON p.id = o.product_id GROUP BY p.id;
  `;
}

const DEMO_CHECKS = `
- name: every order has its customer
  sql: SELECT o.id FROM shop.orders o LEFT JOIN shop.customers c ON c.id = o.customer_id WHERE c.id IS NULL
  expect: no rows
- name: revenue can be computed
  sql: SELECT count(*) FROM shop.revenue
  expect: "= 250"
`;

/**
 * `npm start`: a throwaway PostgreSQL with a sample shop, a generated demo key, a backup to a
 * local folder, then a restore drill into a second throwaway server, whose evidence is printed.
 * Everything is removed afterwards unless `demo-dir` is given.
 */
export async function demo(options: DemoOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const dir = options.demoDir ? resolve(options.demoDir) : await mkdtemp(join(context.tempDir, 'lifeboat-demo-'));
  await mkdir(dir, { recursive: true });
  const source = await reporter.group('Start a throwaway PostgreSQL with sample data', async () => {
    const server = await startLocalCluster({ tempDir: context.tempDir, reporter, signal: context.signal, env: context.env });
    await server.createDatabase('shop');
    await withConnection(resolveConnection(server.url('shop'), context.env), (client) => client.query(sampleSql(options.sampleRows)));
    reporter.info(`PostgreSQL ${server.version} on ${server.host}:${server.port}, database shop loaded (${options.sampleRows} orders).`);
    return server;
  });
  try {
    // As `lifeboat keygen` does: one pair to encrypt, one to sign (the backup signs, the drill verifies).
    const keys = await generateKeyPair({ name: 'Lifeboat demo' });
    const signing = await generateKeyPair({ name: 'Lifeboat demo (signing)', purpose: 'sign' });
    // The drill signs its record with a key of its own, never the backup's.
    const drillSigning = await generateKeyPair({ name: 'Lifeboat demo (drill signing)', purpose: 'sign' });
    await writeFile(join(dir, 'demo-key.pub.asc'), keys.publicKey);
    await writeFile(join(dir, 'demo-key.key.asc'), keys.privateKey, { mode: 0o600 });
    await writeFile(join(dir, 'demo-signing.pub.asc'), signing.publicKey);
    await writeFile(join(dir, 'demo-signing.key.asc'), signing.privateKey, { mode: 0o600 });
    reporter.info(`Generated demo keys: encryption ${keys.fingerprint}, signing ${signing.fingerprint} (files in ${options.demoDir ? dir : 'a temporary folder'}).`);
    const store = join(dir, 'store');

    const backupOutcome = await reporter.group('Back up to a local folder', () =>
      backup(
        resolveOptions(backupOperation, objectSource({ 'database-url': source.url('shop'), store, 'create-store': 'true', recipients: keys.publicKey, 'signing-key': signing.privateKey })),
        context,
      ),
    );
    if (!backupOutcome.ok) return { ...backupOutcome, outputs: { 'backup-id': backupOutcome.outputs['backup-id'] } };

    const drillOutcome = await reporter.group('Restore drill into a second throwaway PostgreSQL', () =>
      drill(
        resolveOptions(
          drillOperation,
          objectSource({
            store,
            identity: keys.privateKey,
            'signing-public-key': signing.publicKey,
            'signing-key': drillSigning.privateKey,
            checks: DEMO_CHECKS,
            'max-rpo': '1h',
            'evidence-dir': join(dir, 'evidence'),
          }),
        ),
        context,
      ),
    );
    return {
      ok: drillOutcome.ok,
      failure: drillOutcome.failure,
      outputs: {
        verdict: drillOutcome.outputs.verdict,
        'backup-id': backupOutcome.outputs['backup-id'],
        'evidence-path': options.demoDir ? drillOutcome.outputs['evidence-path'] : undefined,
      },
      data: drillOutcome.data,
    };
  } finally {
    await source.stop();
    if (!options.demoDir) await rm(dir, { recursive: true, force: true });
  }
}

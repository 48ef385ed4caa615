import type { CheckResult } from '../../../catalog/drill-record.js';
import { countRows, type ConnectionTarget } from '../server-info.js';

/** A table and its row count; `rows` null when the table does not exist. */
export interface TableCount {
  readonly schema: string;
  readonly name: string;
  readonly rows: number | null;
}

/** The tables and counts a backup's decrypted stats recorded; entries without a schema and name are skipped. */
function recordedTables(stats: Record<string, unknown> | undefined): TableCount[] {
  const tables = stats?.tables;
  if (!Array.isArray(tables)) return [];
  return tables.filter(
    (t): t is TableCount => typeof t === 'object' && t !== null && typeof t.schema === 'string' && typeof t.name === 'string',
  );
}

/** Counts the restored rows of every table the stats recorded and checks them against the recorded counts. */
export async function rowCountChecks(target: ConnectionTarget, stats: Record<string, unknown> | undefined, env?: Record<string, string | undefined>): Promise<CheckResult[]> {
  const recorded = recordedTables(stats);
  if (recorded.length === 0) return [];
  return tableChecks(recorded, await countRows(target, recorded, env), String(stats?.counts ?? 'exact'));
}

/**
 * The automatic checks: every table recorded at backup time exists after the restore and, when
 * counts were exact, holds exactly the recorded number of rows.
 */
export function tableChecks(recorded: readonly TableCount[], restored: readonly TableCount[], mode: string): CheckResult[] {
  const found = new Map(restored.map((t) => [`${t.schema}.${t.name}`, t.rows]));
  const checks: CheckResult[] = [];
  for (const table of recorded) {
    const label = `${table.schema}.${table.name}`;
    const rows = found.get(label);
    if (rows === undefined || rows === null) {
      checks.push({ name: `table ${label} exists`, kind: 'table-exists', ok: false, expected: 'present', actual: 'missing' });
      continue;
    }
    if (mode === 'exact' && table.rows !== null) {
      checks.push({ name: `rows in ${label}`, kind: 'row-count', ok: rows === table.rows, expected: table.rows, actual: rows });
    } else {
      checks.push({ name: `table ${label} exists`, kind: 'table-exists', ok: true, expected: 'present', actual: `present, ${rows} rows` });
    }
  }
  return checks;
}

/** The check that the restore itself reported no errors beyond what the operator allows. */
export function restoreErrorsCheck(ignoredErrors: number, maxErrors: number, errors: readonly string[]): CheckResult {
  return {
    name: 'pg_restore reported no errors',
    kind: 'restore-errors',
    ok: ignoredErrors <= maxErrors,
    expected: maxErrors === 0 ? 0 : `<= ${maxErrors}`,
    actual: ignoredErrors,
    ...(errors.length > 0 ? { message: errors.slice(0, 5).join(' / ') } : {}),
  };
}

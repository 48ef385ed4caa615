export * from './define.js';
export * from './values.js';
export * from './sources.js';
export { secretFlagWarnings } from './secret-flags.js';
export * from './common.js';
export { backupOperation, type BackupOptions } from './backup.js';
export { drillOperation, type DrillOptions } from './drill.js';
export { gateOperation, type GateOptions } from './gate.js';
export { canisterExportOperation, type CanisterExportOptions } from './canister-export.js';
import { backupOperation } from './backup.js';
import { drillOperation } from './drill.js';
import { gateOperation } from './gate.js';
import { canisterExportOperation } from './canister-export.js';

/** Every operation that is also a GitHub Action, in the order the docs list them. */
export const actionOperations = [backupOperation, drillOperation, canisterExportOperation, gateOperation] as const;
export * from './render.js';

/** Every operation, actions first; the CLI and the docs list them in this order. */
export const allOperations = [...actionOperations, preflightOperation, restoreOperation, listOperation, verifyOperation, pruneOperation, keysOperation, runbookOperation, reportOperation, keygenOperation, demoOperation] as const;
export { listOperation, type ListOptions } from './list.js';
export { verifyOperation, type VerifyOptions } from './verify.js';
export { pruneOperation, type PruneOptions } from './prune.js';
export { keysOperation, type KeysOptions } from './keys.js';
export { retentionOptions, type RetentionOptions } from './retention.js';
import { listOperation } from './list.js';
import { verifyOperation } from './verify.js';
import { pruneOperation } from './prune.js';
import { keysOperation } from './keys.js';
export * from './storage.js';
export * from './signing.js';
export * from '../engines/postgres/options.js';
export { restoreOperation, type RestoreOptions } from './restore.js';
export { keygenOperation, type KeygenOptions } from './keygen.js';
export { backupSelectionOptions } from './drill.js';
import { restoreOperation } from './restore.js';
import { keygenOperation } from './keygen.js';
export { demoOperation, type DemoOptions } from './demo.js';
import { demoOperation } from './demo.js';
export { preflightOperation, type PreflightOptions } from './preflight.js';
import { preflightOperation } from './preflight.js';
export { runbookOperation, type RunbookOptions } from './runbook.js';
import { runbookOperation } from './runbook.js';
export { reportOperation, reportTargetOptions, type ReportOptions } from './report.js';
import { reportOperation } from './report.js';

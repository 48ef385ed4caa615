import { listCatalog } from './catalog/list.js';
import { verify } from './catalog/verify.js';
import type { RunContext } from './context.js';
import { keygen } from './crypto/keygen-operation.js';
import { demo } from './demo/demo.js';
import { drill } from './drill/drill.js';
import { restore } from './drill/restore.js';
import { canisterExport } from './engines/canister/export.js';
import { gateWithFreshBackup } from './gate/gate-with-backup.js';
import { report } from './history-report/report.js';
import type { OperationDef, OptionDefs, ResolvedOptions } from './options/define.js';
import {
  backupOperation,
  canisterExportOperation,
  demoOperation,
  drillOperation,
  gateOperation,
  keygenOperation,
  keysOperation,
  listOperation,
  preflightOperation,
  pruneOperation,
  reportOperation,
  restoreOperation,
  runbookOperation,
  verifyOperation,
} from './options/index.js';
import { withNotifications } from './notify/notify.js';
import { backup } from './pipeline/backup.js';
import { preflight } from './preflight/preflight.js';
import type { OperationOutcome } from './report/outcome.js';
import { keysReport } from './retention/keys-report.js';
import { prune } from './retention/prune.js';
import { backupStack } from './stacks/backup-stack.js';
import { drillStack } from './stacks/drill-stack.js';
import { preflightStack } from './stacks/preflight-stack.js';
import { writeRunbook } from './stacks/runbook.js';
import { restoreStack } from './stacks/restore-stack.js';

/** An operation's definition (options, outputs, action metadata) with the function that runs it. */
export interface RunnableOperation<D extends OptionDefs = OptionDefs> extends OperationDef<D> {
  run(options: ResolvedOptions<D>, context: RunContext): Promise<OperationOutcome>;
}

function runnable<D extends OptionDefs>(definition: OperationDef<D>, run: RunnableOperation<D>['run']): RunnableOperation<D> {
  return { ...definition, run };
}

/** Every operation, runnable (with alerts where the operation has them), in the order `lifeboat --help` lists them: what the CLI and the actions call. */
export const operations = {
  backup: runnable(backupOperation, withNotifications('backup', (options, context) => (options.stack ? backupStack(options, context) : backup(options, context)))),
  preflight: runnable(preflightOperation, (options, context) => (options.stack ? preflightStack(options, context) : preflight(options, context))),
  drill: runnable(drillOperation, withNotifications('drill', (options, context) => (options.stack ? drillStack(options, context) : drill(options, context)))),
  restore: runnable(restoreOperation, (options, context) => (options.stack ? restoreStack(options, context) : restore(options, context))),
  list: runnable(listOperation, listCatalog),
  verify: runnable(verifyOperation, verify),
  prune: runnable(pruneOperation, prune),
  keys: runnable(keysOperation, keysReport),
  gate: runnable(gateOperation, withNotifications('gate', gateWithFreshBackup)),
  runbook: runnable(runbookOperation, writeRunbook),
  report: runnable(reportOperation, report),
  keygen: runnable(keygenOperation, keygen),
  canisterExport: runnable(canisterExportOperation, withNotifications('canister-export', (options, context) => canisterExport(options, context))),
  demo: runnable(demoOperation, demo),
};

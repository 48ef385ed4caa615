export { backupStack, STACK_BACKUP_CONCURRENCY, type StackBackupHooks } from './backup-stack.js';
export { drillStack, type StackDrillHooks, type MemberEvidence } from './drill-stack.js';
export { parseStackFile, readStackFile, type StackFile, type StackAsset, type CrossCheck } from './stack-file.js';
export { stackRecordKey, stackRecordSchema, consistencyWindow, type StackRecord } from './stack-record.js';
export { withStackStore } from './stack-store.js';
export { writeRunbook, renderRunbook, runbookStore, type RunbookMember, type RunbookStore } from './runbook.js';
export { listStack, stackListSummary, type StackBackupView } from './list-stack.js';
export { readStackRecords, stackMemberProblems, type ListedStackRecord } from './stack-listing.js';
export { restoreStack } from './restore-stack.js';

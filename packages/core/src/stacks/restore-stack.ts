import { manifestKey } from '../catalog/layout.js';
import { manifestDigest } from '../catalog/manifest.js';
import { readSmallObject } from '../catalog/store-reads.js';
import type { RunContext } from '../context.js';
import { prepareAuthentication } from '../drill/authenticate.js';
import { VerificationError } from '../drill/errors.js';
import { restore } from '../drill/restore.js';
import { ENGINES } from '../engines/registry.js';
import { restoreOperation, type RestoreOptions } from '../options/restore.js';
import { describeError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import { memberOptions } from './member-options.js';
import { readStackFile } from './stack-file.js';
import { selectStackRecord } from './stack-record.js';
import { checkStackStore } from './stack-store.js';

/**
 * `lifeboat restore --stack`: a real recovery of the newest stack backup, every member in the
 * restore order through the single-asset restore into the target its `restore-settings` name.
 * It stops at the first member that fails, saying what was restored and what remains.
 */
export async function restoreStack(options: RestoreOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const stack = readStackFile(options.stack!, ENGINES);
  checkStackStore(stack, options.store, context.env);
  // Every member's settings are expanded before anything is restored.
  const planned = new Map(stack.assets.map((asset) => [asset.name, memberOptions(options, restoreOperation, stack, asset, context.env, (value) => reporter.secret(value), true)]));
  const authentication = await prepareAuthentication(options, context);
  const store = await openStore(options, context);
  await store.probe({ readOnly: true });
  const { record, signedBy } = await selectStackRecord(store, stack.name, { signingPublicKey: authentication.signingPublicKey, allowUnsigned: options.allowUnsigned });
  // The after-restore service proves a drill; after a real recovery the operator starts the real one.
  if (stack.afterRestore) reporter.info('`after-restore` is a drill step: restore --stack does not start the service or run its HTTP checks.');
  reporter.info(`Restoring stack ${stack.name}/${record.id}${signedBy ? ` (signed by ${signedBy})` : ''} in the order ${stack.restoreOrder.join(', ')}.`);

  const done: string[] = [];
  let failure: string | undefined;
  for (const asset of stack.restoreOrder) {
    const member = record.members.find((m) => m.asset === asset);
    try {
      if (!member) throw new VerificationError(`Stack record ${record.id} has no member \`${asset}\`, which the stack file names.`, 'Restore with the stack file the record was taken with.');
      const text = await readSmallObject(store, manifestKey(member.name, member.backupId));
      if (manifestDigest(text) !== member.manifestSha256) throw new VerificationError(`The manifest of ${member.name}/${member.backupId} has changed since stack record ${record.id} was written.`, 'Someone altered the backup: restore another stack backup.');
      const opts = { ...planned.get(asset)!, name: member.name, backupId: member.backupId, before: undefined };
      const outcome = await reporter.group(`Stack ${stack.name}: restore ${asset}`, () => restore(opts, context));
      if (!outcome.ok) throw new Error(outcome.failure ?? 'the restore failed');
      done.push(asset);
    } catch (error) {
      failure = describeError(error);
      break;
    }
  }
  const remaining = stack.restoreOrder.filter((a) => !done.includes(a));
  const summary = failure
    ? `Stack restore of ${stack.name}/${record.id} stopped at ${remaining[0]}: ${failure} Restored: ${done.length > 0 ? done.join(', ') : 'nothing'}. Not restored: ${remaining.join(', ')}.`
    : undefined;
  await reporter.summary(`## Lifeboat stack restore: ${stack.name}\n\n${summary ?? `✅ Every member restored from stack backup \`${record.id}\`, in the order ${done.join(', ')}.`}\n`);
  return {
    ok: failure === undefined,
    failure: summary,
    outputs: { 'backup-id': record.id },
    data: { stack: stack.name, recordId: record.id, restored: done, remaining },
  };
}

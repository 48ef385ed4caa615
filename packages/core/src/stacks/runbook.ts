import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { manifestKey } from '../catalog/layout.js';
import { manifestDigest, parseManifest } from '../catalog/manifest.js';
import { readSmallObject } from '../catalog/store-reads.js';
import type { RunContext } from '../context.js';
import { VerificationError } from '../drill/errors.js';
import { engineSection, ENGINES } from '../engines/registry.js';
import type { RunbookOptions } from '../options/runbook.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { readStackFile, type CrossCheck, type StackFile } from './stack-file.js';
import type { StackRecord } from './stack-record.js';
import { selectStackRecord } from './stack-record.js';
import { checkStackStore } from './stack-store.js';
import { parseStoreUrl } from '../storage/store-url.js';
import { describeCommand } from '../engines/command/command-line.js';

/** One member's part of the runbook: its backup and the engine's by-hand restore, when it has one. */
export interface RunbookMember {
  readonly asset: string;
  readonly engine: string;
  readonly title: string;
  readonly name: string;
  readonly backupId: string;
  /** The engine's break-glass Markdown; undefined when the engine has none. */
  readonly breakGlass?: string;
}

/**
 * `lifeboat runbook --stack`: the recovery runbook operators keep, from the same stack file
 * the drills run and its newest stack record: the order, each member's by-hand restore (the
 * engine's break-glass steps with the member's name and backup id filled in), and the checks.
 */
export async function writeRunbook(options: RunbookOptions, context: RunContext, hooks: { readonly store?: Store } = {}): Promise<OperationOutcome> {
  const stack = readStackFile(options.stack, ENGINES);
  checkStackStore(stack, options.store, context.env);
  const store = hooks.store ?? (await openStore(options, context));
  const selected = await selectStackRecord(store, stack.name, { signingPublicKey: options.signingPublicKey, allowUnsigned: !options.signingPublicKey });
  const members: RunbookMember[] = [];
  for (const asset of stack.restoreOrder) {
    const member = selected.record.members.find((m) => m.asset === asset);
    if (!member) throw new VerificationError(`Stack record ${selected.record.id} has no member \`${asset}\`, which the stack file names.`, 'Back the stack up again with this stack file.');
    const key = manifestKey(member.name, member.backupId);
    const text = await readSmallObject(store, key);
    if (manifestDigest(text) !== member.manifestSha256) throw new VerificationError(`The manifest ${key} has changed since stack record ${selected.record.id} was written.`, 'Someone altered the backup: take a new stack backup.');
    const manifest = parseManifest(text, key);
    const found = engineSection(manifest.source, `Manifest of ${member.name}/${member.backupId}`);
    const scheme = manifest.encryption.scheme === 'age' ? 'age' : 'openpgp';
    members.push({
      asset,
      engine: member.engine,
      title: found?.engine.title ?? member.engine,
      name: member.name,
      backupId: member.backupId,
      breakGlass: found?.engine.breakGlass?.(found.section, scheme),
    });
  }
  const markdown = renderRunbook(stack, selected.record, members, runbookStore(options));
  let path: string | undefined;
  if (options.output) {
    path = resolve(options.output);
    await writeFile(path, markdown);
    context.reporter.info(`Runbook written to ${path}.`);
  } else {
    await context.reporter.summary(markdown);
  }
  return { ok: true, outputs: { 'backup-id': selected.record.id, path }, data: { markdown } };
}

/** Where the runbook's steps fetch from: the store as the shell sees it. */
export interface RunbookStore {
  /** `store` as given, for the text. */
  readonly location: string;
  /** What the steps set `STORE` to: `s3://bucket/prefix`, or the folder's absolute path. */
  readonly shell: string;
  readonly kind: 'local' | 's3' | 'github-artifact';
  readonly endpoint?: string;
}

/** The store as the runbook's steps address it, from the `store` option (and `s3-endpoint`). */
export function runbookStore(options: Pick<RunbookOptions, 'store' | 's3Endpoint'>): RunbookStore {
  const target = parseStoreUrl(options.store);
  if (target.kind === 'local') return { location: options.store, shell: target.folder, kind: 'local' };
  if (target.kind === 's3') return { location: options.store, shell: `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`, kind: 's3', endpoint: options.s3Endpoint };
  return { location: options.store, shell: options.store, kind: 'github-artifact' };
}

/** The runbook as Markdown. Pure. */
export function renderRunbook(stack: StackFile, record: StackRecord, members: readonly RunbookMember[], store: RunbookStore): string {
  const where = store;
  const lines = [
    `# Recovery runbook: stack ${stack.name}`,
    '',
    `Generated by \`lifeboat runbook --stack\` from the stack file and stack backup \`${record.id}\` (snapshots ${record.window.first} to ${record.window.last}) in \`${store.location}\`. Regenerate it after changing the stack file.`,
    '',
    '## Order',
    '',
    'Restore the members in this order; start the next only when the one before is restored and checked.',
    '',
    ...members.map((m, i) => `${i + 1}. **${m.asset}** (${m.title}): backup \`${m.name}/${m.backupId}\``),
    '',
    'With Lifeboat at hand, `lifeboat restore --name <backup name> --backup-id <id>` restores each member into an empty target. The steps below need no Lifeboat.',
    '',
    '## Before you start',
    '',
    `Work in an empty folder holding the signing public key file and the key that decrypts. In each member's steps \`STORE\`, \`NAME\` and \`ID\` are filled in from the stack backup${where.kind === 'local' ? ', and the files are copied with `cp` from the store folder' : ''}; set the lines for your desk before running them: the key files (\`SIGNING_PUBLIC_KEY\`, \`IDENTITY\`) and where the member is restored (\`TARGET\`, \`DATA\`, \`PORT\`). Run each block with \`bash -euo pipefail\`: it stops at the first step that fails.`,
    ...(where.kind === 'github-artifact'
      ? ['', 'The store is GitHub artifacts: download each member\'s artifact (`gh run download`) into a folder first, and use that folder as `STORE` with `cp` instead of `aws s3 cp`.']
      : []),
  ];
  members.forEach((member, index) => {
    lines.push('', `## ${index + 1}. ${member.asset} (${member.title})`, '');
    if (member.breakGlass) {
      lines.push(fillIn(member.breakGlass, member, where).trimEnd());
    } else {
      lines.push(`Lifeboat generates no by-hand procedure for ${member.title} backups: follow "Restoring without Lifeboat" in docs/storage-format.md for backup \`${member.name}/${member.backupId}\`.`);
    }
    const checks = stack.assets.find((a) => a.name === member.asset)?.checks ?? [];
    if (checks.length > 0) {
      lines.push('', `Then check ${member.asset}:`, '');
      for (const check of checks as Record<string, unknown>[]) lines.push(`- ${describeCheck(check)}`);
    }
  });
  if (stack.checks.length > 0) {
    lines.push('', '## Across the members', '', 'Once every member is restored:', '');
    for (const check of stack.checks) lines.push(`- ${describeCrossCheck(check)}`);
  }
  const after = stack.afterRestore;
  if (after) {
    lines.push(
      '',
      '## After the restore: the service',
      '',
      `Start the service against the restored members: \`${describeCommand(after.command).replaceAll('{stack-dir}', '<folder of the stack file>')}\`, with${Object.keys(after.env).length > 0 ? ':' : ' its usual environment.'}`,
      ...(Object.keys(after.env).length > 0 ? ['', ...Object.entries(after.env).map(([name, value]) => `- \`${name}\` = ${describeServiceValue(value)}`)] : []),
      '',
      `It is up when \`GET ${after.ready.url}\` answers 2xx (the drill waits ${Math.round(after.ready.timeoutMs / 1000)}s at most).`,
    );
    if (after.checks.length > 0) {
      lines.push('', 'Then check it:', '');
      for (const check of after.checks) lines.push(`- ${check.name}: \`${check.method} ${check.url}\` answers ${check.expectStatus}${check.expectBody !== undefined ? ` with a body containing \`${check.expectBody}\`` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const S3_COPY = 'aws s3 cp ${ENDPOINT:+--endpoint-url "$ENDPOINT"}';

/**
 * The engine's example store, name and id replaced by the member's own in its shell blocks
 * (and the endpoint, when the store has one); for a folder store, `cp` instead of `aws s3 cp`.
 */
function fillIn(markdown: string, member: RunbookMember, store: RunbookStore): string {
  return markdown.replace(/```sh\n[\s\S]*?```/g, (block) => {
    let out = block
      .replace(/^STORE=\S+/m, (m) => `STORE=${shellWord(store.shell)}`.padEnd(m.length))
      .replace(/^NAME=\S+/m, (m) => `NAME=${member.name}`.padEnd(m.length))
      .replace(/^ID=\S+/m, (m) => `ID=${member.backupId}`.padEnd(m.length));
    if (store.endpoint) out = out.replace(/^ENDPOINT=(?=\s)/m, `ENDPOINT=${shellWord(store.endpoint)}`);
    if (store.kind !== 's3') out = out.replaceAll(S3_COPY, 'cp');
    return out;
  });
}

/** A value as one shell word: as it is when plain, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

function describeCheck(check: Record<string, unknown>): string {
  const query = check.sql !== undefined ? `\`${String(check.sql)}\`` : check.command !== undefined ? `\`${String(check.command)}\`${check.db !== undefined ? ` in database ${String(check.db)}` : ''}` : '';
  return `${String(check.name ?? 'check')}: ${query} gives ${String(check.expect)}`;
}

/** An after-restore `env:` value for people: `${app.url}` becomes "the restored app's URL". */
function describeServiceValue(value: string): string {
  if (!/\$\{/.test(value)) return `\`${value}\``;
  return value.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    const [asset, field, variable] = name.split('.');
    if (!field) return `\${${name}} (from the environment)`;
    return field === 'env' ? `${variable} of the restored ${asset}` : `the restored ${asset}'s ${field}`;
  });
}

function describeCrossCheck(check: CrossCheck): string {
  if (check.type === 'on') return `${check.name}, on ${check.on}: ${describeCheck(check.entry as Record<string, unknown>)}`;
  return `${check.name}: every key \`${check.query}\` returns on ${check.from} exists in ${check.existIn}${check.sample ? ` (a random ${check.sample} of them)` : ''}`;
}

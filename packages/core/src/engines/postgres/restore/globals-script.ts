import { splitSqlScript } from './sql-script.js';

/** Whether a globals script may be given to psql: every statement a kind pg_dumpall writes, no meta-commands. */
export type GlobalsScriptVerdict =
  | { readonly ok: true; readonly statements: number }
  | { readonly ok: false; readonly line: number; readonly problem: string };

/**
 * The statement kinds `pg_dumpall --globals-only` writes (roles, their settings, comments and
 * memberships, tablespaces, parameter privileges, and the session settings at the top).
 */
const ALLOWED: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: 'SET', pattern: /^SET\s+(?!(?:ROLE|SESSION|LOCAL|TRANSACTION)\b)[A-Za-z_][A-Za-z0-9_.]*\s*(?:=|\bTO\b)/i },
  { kind: 'CREATE ROLE', pattern: /^CREATE\s+ROLE\s/i },
  { kind: 'ALTER ROLE', pattern: /^ALTER\s+ROLE\s/i },
  { kind: 'DROP ROLE', pattern: /^DROP\s+ROLE\s/i },
  { kind: 'COMMENT ON ROLE', pattern: /^COMMENT\s+ON\s+ROLE\s/i },
  { kind: 'SECURITY LABEL ON ROLE', pattern: /^SECURITY\s+LABEL\s+(?:FOR\s+\S+\s+)?ON\s+ROLE\s/i },
  { kind: 'GRANT', pattern: /^GRANT\s/i },
  { kind: 'REVOKE', pattern: /^REVOKE\s/i },
  { kind: 'CREATE TABLESPACE', pattern: /^CREATE\s+TABLESPACE\s/i },
  { kind: 'ALTER TABLESPACE', pattern: /^ALTER\s+TABLESPACE\s/i },
  { kind: 'DROP TABLESPACE', pattern: /^DROP\s+TABLESPACE\s/i },
  { kind: 'COMMENT ON TABLESPACE', pattern: /^COMMENT\s+ON\s+TABLESPACE\s/i },
  { kind: 'SECURITY LABEL ON TABLESPACE', pattern: /^SECURITY\s+LABEL\s+(?:FOR\s+\S+\s+)?ON\s+TABLESPACE\s/i },
];

/** Role settings that load code into later sessions: never from a backup. */
const CODE_LOADING_SETTING = /\b(?:session_preload_libraries|local_preload_libraries|shared_preload_libraries|dynamic_library_path)\b/i;

/** `\restrict KEY` / `\unrestrict KEY`: pg_dumpall writes them to turn psql's meta-commands off for the script. */
const RESTRICT = /^\\(?:un)?restrict$/;

/**
 * Checks a globals script statement by statement before psql sees it: psql meta-commands
 * (`\!`, `\i`, `\o`, `\copy`, ...) could run programs or read files on this machine, and any
 * statement kind pg_dumpall does not write has no business in a globals backup.
 */
export function checkGlobalsScript(script: string): GlobalsScriptVerdict {
  const parsed = splitSqlScript(script);
  for (const meta of parsed.metaCommands) {
    if (RESTRICT.test(meta.command) && /^[A-Za-z0-9]+$/.test(meta.argument)) continue;
    return { ok: false, line: meta.line, problem: `psql meta-command ${meta.command} is not allowed in a globals script` };
  }
  if (parsed.unterminated) {
    return { ok: false, line: parsed.unterminated.line, problem: `the script ends inside an unterminated ${parsed.unterminated.what}` };
  }
  for (const statement of parsed.statements) {
    const allowed = ALLOWED.find((a) => a.pattern.test(statement.text));
    if (!allowed) {
      return { ok: false, line: statement.line, problem: `${firstWords(statement.text)} is not a statement pg_dumpall --globals-only writes` };
    }
    if (allowed.kind === 'ALTER ROLE' && CODE_LOADING_SETTING.test(statement.text)) {
      return { ok: false, line: statement.line, problem: 'a role setting that loads libraries into sessions is not restored from a backup' };
    }
  }
  return { ok: true, statements: parsed.statements.length };
}

function firstWords(text: string): string {
  const words = text.split(/\s+/).slice(0, 3).join(' ');
  return words.length > 60 ? `${words.slice(0, 60)}…` : words;
}

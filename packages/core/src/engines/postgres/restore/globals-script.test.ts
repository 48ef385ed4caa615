import { describe, expect, it } from 'vitest';
import { checkGlobalsScript } from './globals-script.js';

/** What pg_dumpall 15 --globals-only writes (passwords shortened). */
const DUMPALL = `--
-- PostgreSQL database cluster dump
--

\\restrict rff0iXxBjfOM08a2wKwRNbta7tzyEKYXtyjbsH4SvixIOOqnzOOK7pgYiN33k1b

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD 'SCRAM-SHA-256$4096:kHX=';
COMMENT ON ROLE app IS 'the app; really';
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
ALTER ROLE app SET work_mem TO '8MB';
GRANT grp TO app GRANTED BY postgres;
GRANT SET ON PARAMETER work_mem TO app;
CREATE TABLESPACE fast OWNER postgres LOCATION '/srv/fast';
COMMENT ON TABLESPACE fast IS 'ssd';

\\unrestrict rff0iXxBjfOM08a2wKwRNbta7tzyEKYXtyjbsH4SvixIOOqnzOOK7pgYiN33k1b
`;

describe('checkGlobalsScript', () => {
  it('accepts what pg_dumpall --globals-only writes', () => {
    expect(checkGlobalsScript(DUMPALL)).toEqual({ ok: true, statements: 13 });
  });

  it.each([
    ['\\! touch /tmp/owned', 1, 'psql meta-command \\! is not allowed in a globals script'],
    ['SET a = 1;\n\\i /etc/passwd', 2, 'psql meta-command \\i is not allowed in a globals script'],
    ['SET a = 1;\nCREATE ROLE x; \\o |sh', 2, 'psql meta-command \\o is not allowed in a globals script'],
    ["\\copy t TO PROGRAM 'sh'", 1, 'psql meta-command \\copy is not allowed in a globals script'],
    ['\\restrict ../../x', 1, 'psql meta-command \\restrict is not allowed in a globals script'],
    ['\\set ON_ERROR_STOP 1', 1, 'psql meta-command \\set is not allowed in a globals script'],
    ['SET a = 1;\n\nCOPY t TO PROGRAM \'id\';', 3, 'COPY t TO is not a statement pg_dumpall --globals-only writes'],
    ['CREATE ROLE a;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;', 2, 'CREATE FUNCTION f() is not a statement pg_dumpall --globals-only writes'],
    ['SELECT pg_catalog.set_config(\'x\', \'y\', false);', 1, 'SELECT pg_catalog.set_config(\'x\', \'y\', is not a statement pg_dumpall --globals-only writes'],
    ['SET ROLE postgres;', 1, 'SET ROLE postgres is not a statement pg_dumpall --globals-only writes'],
    ['DO $$ BEGIN PERFORM 1; END $$;', 1, 'DO $$ BEGIN is not a statement pg_dumpall --globals-only writes'],
    ["ALTER ROLE app SET session_preload_libraries = '/tmp/evil.so';", 1, 'a role setting that loads libraries into sessions is not restored from a backup'],
    ["CREATE ROLE a;\nCOMMENT ON ROLE a IS 'open", 2, 'the script ends inside an unterminated string'],
  ])('refuses %j at line %i', (script, line, problem) => {
    expect(checkGlobalsScript(script)).toEqual({ ok: false, line, problem });
  });
});

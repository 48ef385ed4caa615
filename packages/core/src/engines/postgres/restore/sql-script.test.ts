import { describe, expect, it } from 'vitest';
import { splitSqlScript } from './sql-script.js';

describe('splitSqlScript', () => {
  it.each([
    ['SELECT 1', ['SELECT 1']],
    ['SELECT 1;', ['SELECT 1']],
    ['SELECT 1; ;  ', ['SELECT 1']],
    ['COMMIT; CREATE ROLE x SUPERUSER', ['COMMIT', 'CREATE ROLE x SUPERUSER']],
    ["SELECT ';' AS a", ["SELECT ';' AS a"]],
    ["SELECT 'it''s; fine'", ["SELECT 'it''s; fine'"]],
    ["SELECT E'a\\'; b'", ["SELECT E'a\\'; b'"]],
    ['SELECT "semi;colon" FROM t', ['SELECT "semi;colon" FROM t']],
    ['SELECT $$a; b$$', ['SELECT $$a; b$$']],
    ['SELECT $fn$ $$; $fn$', ['SELECT $fn$ $$; $fn$']],
    ['SELECT a$b; SELECT 2', ['SELECT a$b', 'SELECT 2']],
    ['SELECT 1 -- not; a statement\n', ['SELECT 1']],
    ['SELECT /* a; /* nested; */ b; */ 1', ['SELECT   1']],
    ['CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2)', ['CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2)']],
  ])('splits %j', (script, statements) => {
    expect(splitSqlScript(script).statements.map((s) => s.text)).toEqual(statements);
  });

  it('gives the line each statement starts on, past comments', () => {
    const { statements } = splitSqlScript('-- head\n\nSET a = 1;\n/* x\n y */ CREATE ROLE r;\nGRANT a\n TO b;');
    expect(statements.map((s) => [s.text.split(/\s+/)[0], s.line])).toEqual([['SET', 3], ['CREATE', 5], ['GRANT', 6]]);
  });

  it('finds meta-commands outside quotes, anywhere on a line, up to its end', () => {
    const script = "SELECT '\\! not a command';\nCREATE ROLE a; \\! touch x; echo\n\\i /etc/passwd\n$$ \\o $$;";
    const { metaCommands, statements } = splitSqlScript(script);
    expect(metaCommands).toEqual([
      { command: '\\!', argument: 'touch x; echo', line: 2 },
      { command: '\\i', argument: '/etc/passwd', line: 3 },
    ]);
    expect(statements).toHaveLength(3);
  });

  it.each([
    ["SELECT 'open", 'string'],
    ['SELECT "open', 'quoted identifier'],
    ['SELECT $x$ open', 'dollar-quoted string'],
    ['SELECT 1 /* open', 'comment'],
  ])('reports %j as unterminated', (script, what) => {
    expect(splitSqlScript(script).unterminated).toEqual({ what, line: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { commandArgv, describeCommand, parseCommandLine, takesPayloadPath, withPayloadPath } from './command-line.js';
import { CommandDefinitionError } from './errors.js';

describe('parseCommandLine', () => {
  it.each([
    ['mongodump --archive', { shell: true, script: 'mongodump --archive' }],
    ['  sqlite3 "$DB" .dump \n', { shell: true, script: 'sqlite3 "$DB" .dump' }],
    ['["mongodump", "--archive"]', { shell: false, argv: ['mongodump', '--archive'] }],
    ['- sqlite3\n- app.db\n- .dump', { shell: false, argv: ['sqlite3', 'app.db', '.dump'] }],
    ['[ -f app.db ] && sqlite3 app.db .dump', { shell: true, script: '[ -f app.db ] && sqlite3 app.db .dump' }],
    ['[mariadb-dump, --port, 3306]', { shell: false, argv: ['mariadb-dump', '--port', '3306'] }],
  ])('%j', (text, expected) => {
    expect(parseCommandLine(text, 'command')).toEqual(expected);
  });

  it.each(['', '   ', '[]', '["a", ["b"]]', '[a, {b: 1}]', '[""]', '[unclosed'])('refuses %j naming the option', (text) => {
    expect(() => parseCommandLine(text, 'restore-command')).toThrow(CommandDefinitionError);
    expect(() => parseCommandLine(text, 'restore-command')).toThrow(/`restore-command`/);
  });
});

describe('commandArgv / withPayloadPath / describeCommand', () => {
  it('runs a script through /bin/sh -c and a list without a shell', () => {
    expect(commandArgv(parseCommandLine('echo "$X"', 'command'))).toEqual({ program: '/bin/sh', args: ['-c', 'echo "$X"'] });
    expect(commandArgv(parseCommandLine('[echo, "$X"]', 'command'))).toEqual({ program: 'echo', args: ['$X'] });
  });

  it('puts the payload path in place of {payload}, quoted for the shell', () => {
    const script = withPayloadPath(parseCommandLine("sqlite3 t.db '.read' {payload}", 'c'), "/tmp/it's here/dump.sql");
    expect(script).toEqual({ shell: true, script: "sqlite3 t.db '.read' '/tmp/it'\\''s here/dump.sql'" });
    const list = withPayloadPath(parseCommandLine('[tool, "--file={payload}"]', 'c'), '/tmp/a b');
    expect(list).toEqual({ shell: false, argv: ['tool', '--file=/tmp/a b'] });
    expect(takesPayloadPath(parseCommandLine('tool < x', 'c'))).toBe(false);
    expect(takesPayloadPath(parseCommandLine('[tool, "{payload}"]', 'c'))).toBe(true);
  });

  it('describes a command with URL passwords hidden', () => {
    expect(describeCommand(parseCommandLine('mongodump --uri mongodb://u:hunter22@db/x --archive', 'c'))).toBe('mongodump --uri mongodb://u:***@db/x --archive');
    expect(describeCommand(parseCommandLine('[a, "b c"]', 'c'))).toBe("a 'b c'");
  });
});

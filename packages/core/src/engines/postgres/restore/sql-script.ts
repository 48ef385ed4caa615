/** One SQL statement of a script, as psql would send it. */
export interface ScriptStatement {
  /** The statement with comments replaced by spaces and without its `;`, trimmed. */
  readonly text: string;
  /** 1-based line where the statement starts. */
  readonly line: number;
}

/** A psql meta-command (`\!`, `\i`, `\copy`, ...): everything from the backslash to the end of its line. */
export interface ScriptMetaCommand {
  /** The command word with its backslash, e.g. `\!` or `\restrict`. */
  readonly command: string;
  /** What follows the command word on its line, trimmed. */
  readonly argument: string;
  readonly line: number;
}

/** What a SQL script consists of, read the way psql reads it. */
export interface SqlScript {
  readonly statements: readonly ScriptStatement[];
  readonly metaCommands: readonly ScriptMetaCommand[];
  /** A string, quoted identifier, dollar quote or comment still open at the end, with the line it opened on. */
  readonly unterminated?: { readonly what: string; readonly line: number };
}

const IDENT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/**
 * Splits a script into statements and psql meta-commands the way psql's lexer does: `;` ends
 * a statement outside quotes, comments, dollar quotes and parentheses, and a backslash outside
 * those starts a meta-command that runs to the end of its line. A plain lexer is enough here:
 * what to refuse is decided by the statement's leading words, and the server parses the rest.
 */
export function splitSqlScript(script: string): SqlScript {
  const statements: ScriptStatement[] = [];
  const metaCommands: ScriptMetaCommand[] = [];
  let line = 1;
  let current = '';
  let startLine = 0; // 0: no statement text yet
  let parens = 0;
  let i = 0;
  const n = script.length;

  const take = (text: string) => {
    if (startLine === 0 && text.trim() !== '') startLine = line;
    current += text;
    for (const ch of text) if (ch === '\n') line++;
  };
  const skip = (text: string) => {
    // Comments become a space so words either side stay apart.
    current += ' ';
    for (const ch of text) if (ch === '\n') line++;
  };
  const finish = () => {
    const text = current.trim();
    if (text !== '') statements.push({ text, line: startLine });
    current = '';
    startLine = 0;
    parens = 0;
  };
  // Reads a quoted run from `i` (at the opening quote) to its closing quote; undefined when unterminated.
  const quoted = (quote: string, backslashEscapes: boolean): string | undefined => {
    let j = i + 1;
    while (j < n) {
      const ch = script[j]!;
      if (backslashEscapes && ch === '\\') {
        j += 2;
        continue;
      }
      if (ch === quote) {
        if (script[j + 1] === quote) {
          j += 2;
          continue;
        }
        return script.slice(i, j + 1);
      }
      j++;
    }
    return undefined;
  };

  while (i < n) {
    const ch = script[i]!;
    const next = script[i + 1];
    const prev = i > 0 ? script[i - 1]! : '';
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      skip(script.slice(i, stop));
      i = stop;
      continue;
    }
    if (ch === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (script[j] === '/' && script[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (script[j] === '*' && script[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) return { statements, metaCommands, unterminated: { what: 'comment', line } };
      skip(script.slice(i, j));
      i = j;
      continue;
    }
    if (ch === "'") {
      const escapes = (prev === 'E' || prev === 'e') && !IDENT.test(script[i - 2] ?? '');
      const text = quoted("'", escapes);
      if (text === undefined) return { statements, metaCommands, unterminated: { what: 'string', line } };
      take(text);
      i += text.length;
      continue;
    }
    if (ch === '"') {
      const text = quoted('"', false);
      if (text === undefined) return { statements, metaCommands, unterminated: { what: 'quoted identifier', line } };
      take(text);
      i += text.length;
      continue;
    }
    if (ch === '$' && !IDENT.test(prev)) {
      const tag = DOLLAR_TAG.exec(script.slice(i, i + 64));
      if (tag) {
        const end = script.indexOf(tag[0], i + tag[0].length);
        if (end === -1) return { statements, metaCommands, unterminated: { what: 'dollar-quoted string', line } };
        take(script.slice(i, end + tag[0].length));
        i = end + tag[0].length;
        continue;
      }
    }
    if (ch === '\\') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      const rest = script.slice(i, stop);
      const word = /^\\(?:[A-Za-z]+|.)/.exec(rest)![0];
      // psql ends a statement in progress at `\g`-style commands too; any meta-command is reported.
      metaCommands.push({ command: word, argument: rest.slice(word.length).trim(), line });
      i = stop;
      continue;
    }
    if (ch === '(') parens++;
    if (ch === ')' && parens > 0) parens--;
    if (ch === ';' && parens === 0) {
      finish();
      i++;
      continue;
    }
    take(ch);
    i++;
  }
  finish();
  return { statements, metaCommands };
}

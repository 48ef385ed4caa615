/**
 * The secret scan of a files backup: what in a file looks like a credential that an
 * application backup should not carry. Pure: a file's path and text in, findings out, each
 * naming the file, the line and the kind of secret, never the value.
 */

/** One thing that looks like a secret. */
export interface SecretFinding {
  /** The file, as named in the archive. */
  readonly path: string;
  /** 1-based line; 0 for a finding about the file itself (its name). */
  readonly line: number;
  /** What it looks like: `PEM private key`, `JWT`, `assignment of DB_PASSWORD`, ... */
  readonly what: string;
}

const PRIVATE_KEY_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/;
// Three base64url parts, the first two JSON objects (`{"` encodes as `eyJ`).
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
const AWS_SECRET_LINE = /^\s*aws_secret_access_key\s*=\s*\S/i;
const GCP_SERVICE_ACCOUNT = /"type"\s*:\s*"service_account"/;
// scheme://user:password@host, the password not a `$VAR` reference.
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:(?!\$)[^\s@/]+@/i;
// Names whose value is a secret: the last word of the name decides (DB_PASSWORD, stripeApiKey).
const SECRET_NAME = /(?:^|[_.-])(?:password|passwd|pwd|secret|secret[_-]?key|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|credentials?)$|(?:Password|Secret|Token|ApiKey|AccessKey|PrivateKey)$/i;
// `NAME=value`, `export NAME=value`, `NAME: value` (YAML), `"name": "value"` (JSON).
const ASSIGNMENT = /^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(=|:)\s*(.*?)\s*,?\s*$/;

/** Files that are credentials by their name alone, wherever they are in a listed folder. */
const CREDENTIAL_FILES: readonly { readonly test: RegExp; readonly what: string }[] = [
  { test: /(?:^|\/)\.aws\/credentials$/, what: 'AWS credentials file' },
  { test: /(?:^|\/)\.git-credentials$/, what: 'Git credentials file' },
  { test: /(?:^|\/)\.pgpass$/, what: 'PostgreSQL password file' },
  { test: /(?:^|\/)\.netrc$/, what: 'netrc credentials file' },
  { test: /(?:^|\/)\.docker\/config\.json$/, what: 'Docker registry credentials file' },
  { test: /(?:^|\/)\.config\/gcloud\/(?:credentials\.db|application_default_credentials\.json)$/, what: 'Google Cloud credentials file' },
];

/** A value that names a secret held elsewhere (a reference, a placeholder) rather than being one. */
function isReference(value: string): boolean {
  const bare = value.replace(/^["']|["']$/g, '').trim();
  if (bare === '' || bare === 'null' || bare === '~' || bare === 'true' || bare === 'false') return true;
  if (/^-?\d+(?:\.\d+)?$/.test(bare)) return true;
  // ${VAR}, $VAR, {{ template }}, <placeholder>, a secret manager's reference, a file path.
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(bare) || /^\{\{.*\}\}$/.test(bare) || /^<[^>]*>$/.test(bare)) return true;
  if (/^(?:\/|\.\/|file:|vault:|arn:|projects\/[^/]+\/secrets\/)/.test(bare)) return true;
  // YAML blocks and objects: the secret, if any, is on the following lines.
  if (bare === '|' || bare === '>' || bare === '{' || bare === '[' || bare === '|-' || bare === '>-') return true;
  return false;
}

/** The finding on one line, if any. */
export function scanLine(path: string, line: number, text: string): SecretFinding | undefined {
  const block = PRIVATE_KEY_BLOCK.exec(text);
  if (block) return { path, line, what: block[1]!.startsWith('PGP') ? 'PGP private key block' : block[1] === 'OPENSSH PRIVATE KEY' ? 'OpenSSH private key' : 'PEM private key' };
  if (JWT.test(text)) return { path, line, what: 'JWT' };
  if (AWS_SECRET_LINE.test(text)) return { path, line, what: 'AWS secret access key' };
  if (GCP_SERVICE_ACCOUNT.test(text)) return { path, line, what: 'Google Cloud service-account key' };
  if (URL_WITH_PASSWORD.test(text)) return { path, line, what: 'URL with a password' };
  const assignment = ASSIGNMENT.exec(text);
  if (assignment && !text.trimStart().startsWith('#')) {
    const [, name, , value] = assignment;
    if (SECRET_NAME.test(name!) && !isReference(value!)) return { path, line, what: `assignment of ${name}` };
  }
  return undefined;
}

/** The finding on a file's name alone (a credentials file), if any. */
export function scanPath(path: string): SecretFinding | undefined {
  const rule = CREDENTIAL_FILES.find((r) => r.test.test(path));
  return rule ? { path, line: 0, what: rule.what } : undefined;
}

/** Every finding in a whole file's text (its name included). */
export function scanText(path: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const named = scanPath(path);
  if (named) findings.push(named);
  text.split(/\r?\n/).forEach((line, index) => {
    const found = scanLine(path, index + 1, line);
    if (found) findings.push(found);
  });
  return findings;
}

// Lines longer than this (minified JSON, binary files) are scanned in windows that overlap
// by more than any pattern is long, so memory stays flat.
const WINDOW = 64 * 1024;
const OVERLAP = 4 * 1024;

/** Scans a file's bytes as they stream past, line by line, with flat memory. */
export class SecretScanner {
  readonly findings: SecretFinding[] = [];
  private carry = '';
  private line = 1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly path: string) {
    const named = scanPath(path);
    if (named) this.findings.push(named);
  }

  /** Feeds the next bytes. */
  write(chunk: Uint8Array): void {
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** Scans what is left; returns every finding. */
  end(): SecretFinding[] {
    this.feed(this.decoder.decode());
    if (this.carry !== '') this.check(this.carry);
    this.carry = '';
    return this.findings;
  }

  private feed(text: string): void {
    let rest = this.carry + text;
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      this.check(rest.slice(0, newline).replace(/\r$/, ''));
      this.line++;
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    if (rest.length > WINDOW) {
      this.check(rest);
      rest = rest.slice(-OVERLAP);
    }
    this.carry = rest;
  }

  private check(text: string): void {
    const found = scanLine(this.path, this.line, text);
    // One finding per line is enough to name it (an overlapping window may see it twice).
    if (found && this.findings.at(-1)?.line !== found.line) this.findings.push(found);
  }
}

/** `etc/app.env line 3 (assignment of DB_PASSWORD)`, for messages. */
export function describeFinding(finding: SecretFinding): string {
  return finding.line === 0 ? `${finding.path} (${finding.what})` : `${finding.path} line ${finding.line} (${finding.what})`;
}

import { describe, expect, it } from 'vitest';
import { describeFinding, scanLine, scanPath, scanText, SecretScanner } from './secret-scan.js';

// Built at run time so that no scanner (this one included) finds keys in the source itself.
const BEGIN = (kind: string) => `-----BEGIN ${kind}-----`;
const JWT_TEXT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'].join('.');

describe('scanLine', () => {
  it.each([
    [BEGIN('RSA PRIVATE KEY'), 'PEM private key'],
    [BEGIN('PRIVATE KEY'), 'PEM private key'],
    [BEGIN('EC PRIVATE KEY'), 'PEM private key'],
    [BEGIN('ENCRYPTED PRIVATE KEY'), 'PEM private key'],
    [BEGIN('OPENSSH PRIVATE KEY'), 'OpenSSH private key'],
    [BEGIN('PGP PRIVATE KEY BLOCK'), 'PGP private key block'],
    [`  "private_key": "${BEGIN('PRIVATE KEY')}\\nMIIE...",`, 'PEM private key'],
    [`Authorization: Bearer ${JWT_TEXT}`, 'JWT'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS secret access key'],
    ['  "type": "service_account",', 'Google Cloud service-account key'],
    ['DATABASE_URL=postgres://app:s3cret@db.internal/app', 'URL with a password'],
    ['DB_PASSWORD=hunter2', 'assignment of DB_PASSWORD'],
    ['export API_KEY="abc123"', 'assignment of API_KEY'],
    ['AWS_SECRET_ACCESS_KEY=abc', 'AWS secret access key'],
    ['GITHUB_TOKEN=ghp_x', 'assignment of GITHUB_TOKEN'],
    ['SECRET=x', 'assignment of SECRET'],
    ['  password: hunter2', 'assignment of password'],
    ['  "clientSecret": "abc",', 'assignment of clientSecret'],
    ['stripe.api_key: sk_live_1', 'assignment of stripe.api_key'],
  ])('finds %s', (line, what) => {
    expect(scanLine('f', 7, line)).toEqual({ path: 'f', line: 7, what });
  });

  it.each([
    ['BEGIN_DATE=2024-01-01'],
    [`${'-----'}BEGIN PUBLIC KEY-----`],
    [`${'-----'}BEGIN CERTIFICATE-----`],
    ['DB_PASSWORD='],
    ['DB_PASSWORD=${DB_PASSWORD}'],
    ['DB_PASSWORD=$DB_PASSWORD'],
    ['password: "{{ vault_password }}"'],
    ['password: <set me>'],
    ['password_file: /run/secrets/db'],
    ['password: /run/secrets/db'],
    ['token_ttl: 300'],
    ['max_token: 4096'],
    ['# DB_PASSWORD=hunter2 (set in the environment)'],
    ['secret:'],
    ['secret: |'],
    ['passwordPolicy: strict'],
    ['DATABASE_URL=postgres://app@db.internal/app'],
    ['DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal/app'],
    ['name: api'],
    ['eyJ is how JSON starts in base64'],
  ])('leaves %s alone', (line) => {
    expect(scanLine('f', 1, line)).toBeUndefined();
  });
});

describe('scanPath', () => {
  it.each([
    ['home/.aws/credentials', 'AWS credentials file'],
    ['.aws/credentials', 'AWS credentials file'],
    ['deploy/.git-credentials', 'Git credentials file'],
    ['root/.pgpass', 'PostgreSQL password file'],
    ['u/.netrc', 'netrc credentials file'],
    ['u/.docker/config.json', 'Docker registry credentials file'],
  ])('names %s a credentials file', (path, what) => {
    expect(scanPath(path)).toEqual({ path, line: 0, what });
  });
  it.each([['etc/credentials'], ['aws/credentials.md'], ['etc/app.yaml']])('leaves %s alone', (path) => {
    expect(scanPath(path)).toBeUndefined();
  });
});

describe('scanText and SecretScanner', () => {
  const text = ['name: app', 'db:', '  password: hunter2', '', BEGIN('OPENSSH PRIVATE KEY'), 'b3BlbnNzaC1rZXk=', '-----END OPENSSH PRIVATE KEY-----'].join('\n');

  it('names every line with a secret, never the value', () => {
    const found = scanText('etc/app.yaml', text);
    expect(found).toEqual([
      { path: 'etc/app.yaml', line: 3, what: 'assignment of password' },
      { path: 'etc/app.yaml', line: 5, what: 'OpenSSH private key' },
    ]);
    expect(found.map(describeFinding).join('\n')).not.toContain('hunter2');
    expect(describeFinding(found[0]!)).toBe('etc/app.yaml line 3 (assignment of password)');
    expect(describeFinding({ path: '.aws/credentials', line: 0, what: 'AWS credentials file' })).toBe('.aws/credentials (AWS credentials file)');
  });

  it('streams to the same findings whatever the chunk boundaries, CRLF included', () => {
    const bytes = new TextEncoder().encode(text.replaceAll('\n', '\r\n'));
    for (const size of [1, 3, 7, 64, bytes.length]) {
      const scanner = new SecretScanner('etc/app.yaml');
      for (let i = 0; i < bytes.length; i += size) scanner.write(bytes.subarray(i, i + size));
      expect(scanner.end().map((f) => [f.line, f.what])).toEqual([
        [3, 'assignment of password'],
        [5, 'OpenSSH private key'],
      ]);
    }
  });

  it('finds a key inside a long line without holding the whole line', () => {
    const scanner = new SecretScanner('data/blob.json');
    const filler = new TextEncoder().encode('x'.repeat(50_000));
    for (let i = 0; i < 5; i++) scanner.write(filler);
    scanner.write(new TextEncoder().encode(`"k":"${BEGIN('PRIVATE KEY')}"`));
    for (let i = 0; i < 5; i++) scanner.write(filler);
    expect(scanner.end()).toEqual([{ path: 'data/blob.json', line: 1, what: 'PEM private key' }]);
  });

  it('names a credentials file by its name', () => {
    const scanner = new SecretScanner('ops/.aws/credentials');
    scanner.write(new TextEncoder().encode('[default]\n'));
    expect(scanner.end()).toEqual([{ path: 'ops/.aws/credentials', line: 0, what: 'AWS credentials file' }]);
  });
});

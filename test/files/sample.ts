/** A service's configuration folder as the files tests back it up. */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of the sample and their contents (archive names). */
export const SAMPLE_FILES: Record<string, string> = {
  'etc/app.yaml': 'name: proofs\ndatabase:\n  host: db.internal\n  port: 5432\n  password: ${DB_PASSWORD}\nfeatures: [pdf, export]\n',
  'data/seed.json': '{"plans":[{"id":1,"name":"basic"},{"id":2,"name":"pro"}]}\n',
  'deploy/start.sh': '#!/bin/sh\nexec /usr/bin/app --config /etc/app.yaml\n',
  'deploy/nginx/site.conf': 'server { listen 8080; }\n',
  'deploy/with space ü.txt': 'unicode and spaces in names\n',
};

/** The `paths` the tests list. */
export const SAMPLE_PATHS = 'etc/app.yaml,data/seed.json,deploy/';

/**
 * Writes the sample under `root`: a 0755 script, a 0600 file, an empty folder, a link
 * inside the folder and one pointing outside it (stored as a link, never followed).
 */
export function writeSample(root: string): void {
  for (const [name, text] of Object.entries(SAMPLE_FILES)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  chmodSync(join(root, 'deploy/start.sh'), 0o755);
  chmodSync(join(root, 'deploy/nginx/site.conf'), 0o600);
  mkdirSync(join(root, 'deploy/empty'));
  symlinkSync('nginx/site.conf', join(root, 'deploy/current.conf'));
  symlinkSync('/etc/hostname', join(root, 'deploy/outside'));
}

/** A private key, built at run time so that no scanner finds one in this source file. */
export function privateKeyText(): string {
  return ['-----BEGIN', 'OPENSSH PRIVATE KEY-----'].join(' ') + '\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n';
}

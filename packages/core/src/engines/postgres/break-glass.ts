import { encryptedSuffix } from '../../catalog/layout.js';
import { GLOBALS_PAYLOAD_FILE } from './globals.js';
import { postgresSectionSchema } from './manifest.js';
import { PAYLOAD_FILES, STREAM_ZSTD_PAYLOAD_FILE } from './source.js';

/**
 * The by-hand restore of a PostgreSQL backup, as Markdown with one shell block that runs as
 * written once its settings are filled in: import the keys, fetch, verify the manifest's
 * signature and the payload's SHA-256, decrypt with gpg (or age), and restore with
 * pg_restore (a directory-format archive unpacked with tar first, a `stream-zstd` payload
 * piped through `zstd -d`; globals replayed with psql).
 * The custom-format OpenPGP steps are those of docs/break-glass.md, line for line.
 */
export function breakGlass(section: unknown, scheme: 'openpgp' | 'age' = 'openpgp'): string {
  const { dumpFormat, streamCompression } = postgresSectionSchema.parse(section);
  const format = dumpFormat === 'directory' ? 'directory' : dumpFormat === 'globals-sql' ? 'globals' : 'custom';
  const plain = format === 'globals' ? GLOBALS_PAYLOAD_FILE : PAYLOAD_FILES[format];
  const zstd = streamCompression === 'zstd';
  const stored = `${zstd ? STREAM_ZSTD_PAYLOAD_FILE : plain}${encryptedSuffix(scheme)}`;
  // A zstd frame around the archive is decompressed as it is decrypted, into the file pg_restore reads.
  const decrypt = zstd
    ? scheme === 'age'
      ? `age -d -i "$IDENTITY" ${stored} | zstd -d -q -o ${plain}`
      : `gpg --decrypt ${stored} | zstd -d -q -o ${plain}`
    : scheme === 'age'
      ? `age -d -i "$IDENTITY" -o ${plain} ${stored}`
      : `gpg --decrypt --output ${plain} ${stored}`;
  const restore =
    format === 'custom'
      ? `pg_restore --no-owner --no-privileges --dbname "$TARGET" ${plain}`
      : format === 'directory'
        ? `mkdir -p dump\ntar -xf ${plain} -C dump\npg_restore --no-owner --no-privileges --jobs 4 --dbname "$TARGET" dump`
        : `psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$TARGET" -f ${plain}`;
  const imports =
    scheme === 'age'
      ? '# The public half of the signing key (the age identity file is read by age -d).\ngpg --import "$SIGNING_PUBLIC_KEY"'
      : '# The keys: the public half of the signing key, and the private key that decrypts.\ngpg --import "$SIGNING_PUBLIC_KEY" "$IDENTITY"';
  const copy = (object: string) => `aws s3 cp \${ENDPOINT:+--endpoint-url "$ENDPOINT"} "$STORE/$NAME/$ID/${object}" ${object}`;
  const target = format === 'globals' ? 'TARGET=postgres://postgres@localhost/postgres  # a database on the server that gets the roles' : 'TARGET=postgres://postgres@localhost/restored   # an existing, empty database';
  const tool = format === 'globals' ? '`psql`' : format === 'directory' ? '`tar` and `pg_restore`' : zstd ? '`zstd` and `pg_restore`' : '`pg_restore`';
  return `### Restore a PostgreSQL backup by hand

Needs only ${scheme === 'age' ? '`age`, `gpg` (to check the signature)' : '`gpg`'}, \`sha256sum\` and ${tool} (and \`aws\` for an S3 store; for a folder store use \`cp\` instead of \`aws s3 cp \${ENDPOINT:+--endpoint-url "$ENDPOINT"}\`). Use a PostgreSQL client of the backup's major or newer.

\`\`\`sh
STORE=s3://my-backups/lifeboat               # your \`store\`
NAME=app                                     # the backup name (folder under the store)
ID=20261124T021700Z-k3m9qa                   # a backup folder that has a manifest.json: aws s3 ls "$STORE/$NAME/"
${target}
ENDPOINT=                                    # your \`s3-endpoint\` (MinIO, R2, B2, ...); empty for AWS S3
SIGNING_PUBLIC_KEY=lifeboat-signing.pub.asc  # the signing public key file (\`signing-public-key\`)
${`IDENTITY=${scheme === 'age' ? 'key.txt' : 'lifeboat.key.asc'}`.padEnd(45)}# the ${scheme === 'age' ? 'age identity file' : 'encryption private key file'} (\`identity\`)

${imports}
${copy('manifest.json')}
${copy('manifest.json.sig')}
${copy(stored)}
# The manifest must be signed by your signing key.
gpg --verify manifest.json.sig manifest.json
# The payload is the first object in the manifest: its sha256 must match the stored bytes.
echo "$(grep -m1 '"sha256"' manifest.json | cut -d'"' -f4)  ${stored}" | sha256sum -c -
${decrypt}
${restore}
\`\`\`

\`gpg --decrypt\` asks for the identity's passphrase if it has one; for a passphrase-only backup, import only the signing key and \`gpg --decrypt\` asks for the passphrase.
`;
}

import { encryptedSuffix } from '../../catalog/layout.js';
import { parseRedisSection } from './manifest.js';

/**
 * The by-hand restore of a Redis backup, as Markdown with one shell block that runs as
 * written once its settings are filled in: import the keys, fetch, verify the manifest's
 * signature, check the payload's SHA-256 against the manifest, decrypt with gpg or age
 * (decompress with zstd), judge the file with redis-check-rdb, and start a redis-server on it.
 * Nothing of Lifeboat is needed.
 */
export function breakGlass(section: unknown, scheme: 'openpgp' | 'age' = 'openpgp'): string {
  const { mode, compression } = parseRedisSection(section);
  const suffix = encryptedSuffix(scheme);
  if (mode === 'keys') return keysBreakGlass(compression, scheme, suffix);
  const plain = compression === 'zstd' ? 'dump.rdb.zst' : 'dump.rdb';
  const stored = `${plain}${suffix}`;
  const decryptTo = (output: string) =>
    scheme === 'age' ? `age -d -i "$IDENTITY" ${stored} ${output}` : `gpg --decrypt ${stored} ${output}`;
  const decrypt =
    compression === 'zstd'
      ? `${decryptTo('|')} zstd -d -q -o "$DATA/dump.rdb"`
      : scheme === 'age'
        ? `age -d -i "$IDENTITY" -o "$DATA/dump.rdb" ${stored}`
        : `gpg --decrypt --output "$DATA/dump.rdb" ${stored}`;
  const tool = scheme === 'age' ? '`age`, `gpg` (to check the signature)' : '`gpg`';
  const identity = scheme === 'age' ? 'the age identity file (`identity`)' : 'the encryption private key file (`identity`)';
  const imports =
    scheme === 'age'
      ? '# The public half of the signing key (the age identity file is read by age -d).\ngpg --import "$SIGNING_PUBLIC_KEY"'
      : '# The keys: the public half of the signing key, and the private key that decrypts.\ngpg --import "$SIGNING_PUBLIC_KEY" "$IDENTITY"';
  const copy = (object: string, to: string) => `aws s3 cp \${ENDPOINT:+--endpoint-url "$ENDPOINT"} "$STORE/$NAME/$ID/${object}" ${to}`;
  return `### Restore a Redis backup by hand

Needs only ${tool}${compression === 'zstd' ? ', `zstd`' : ''}, \`sha256sum\`, \`redis-check-rdb\` and \`redis-server\` (and \`aws\` for an S3 store; for a folder store use \`cp\` instead of \`aws s3 cp \${ENDPOINT:+--endpoint-url "$ENDPOINT"}\`). The server it starts listens on 127.0.0.1 only and has every key of the snapshot; copy \`$DATA/dump.rdb\` into the \`dir\` of the server that should serve the data instead, as its \`dbfilename\`, and start that server.

\`\`\`sh
STORE=s3://my-backups/lifeboat               # your \`store\`
NAME=cache                                   # the backup name (folder under the store)
ID=20261124T021700Z-k3m9qa                   # a backup folder that has a manifest.json: aws s3 ls "$STORE/$NAME/"
ENDPOINT=                                    # your \`s3-endpoint\` (MinIO, R2, B2, ...); empty for AWS S3
SIGNING_PUBLIC_KEY=lifeboat-signing.pub.asc  # the signing public key file (\`signing-public-key\`)
${`IDENTITY=${scheme === 'age' ? 'key.txt' : 'lifeboat.key.asc'}`.padEnd(45)}# ${identity}
DATA=./redis-restored                        # an empty folder for the restored server's files
PORT=6390                                    # a free port for it

${imports}
${copy('manifest.json', 'manifest.json')}
${copy('manifest.json.sig', 'manifest.json.sig')}
${copy(stored, stored)}
# The manifest must be signed by your signing key.
gpg --verify manifest.json.sig manifest.json
# The payload is the first object in the manifest: its sha256 must match the stored bytes.
echo "$(grep -m1 '"sha256"' manifest.json | cut -d'"' -f4)  ${stored}" | sha256sum -c -
mkdir -p "$DATA"
${decrypt}
redis-check-rdb "$DATA/dump.rdb"
redis-server --dir "$DATA" --dbfilename dump.rdb --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \\
  --daemonize yes --pidfile "$PWD/redis-restored.pid" --logfile "$PWD/redis-restored.log"
until redis-cli -p "$PORT" PING 2>/dev/null | grep -q PONG; do sleep 0.2; done
redis-cli -p "$PORT" INFO keyspace
\`\`\`

Stop it with \`redis-cli -p "$PORT" SHUTDOWN NOSAVE\`. Set a password (\`--requirepass\`) before letting anything else reach it.
`;
}

function keysBreakGlass(compression: 'none' | 'zstd', scheme: 'openpgp' | 'age', suffix: string): string {
  const stored = `${compression === 'zstd' ? 'keys.lbrk.zst' : 'keys.lbrk'}${suffix}`;
  const decrypt = scheme === 'age' ? `age -d -i key.txt -o keys.lbrk ${stored}` : `gpg --decrypt --output keys.lbrk ${stored}`;
  return `### Restore a Redis keys backup by hand

A \`redis-mode: keys\` backup is a record file of DUMP payloads (format \`lifeboat-redis-keys/1\`, documented byte by byte in docs/redis.md), not an RDB: verify \`manifest.json.sig\` with \`gpg --verify\` and check the payload's sha256 against the manifest as for an RDB backup, decrypt it with \`${decrypt}\`${compression === 'zstd' ? ' (then `zstd -d`)' : ''}, then write each record into an empty server with \`RESTORE <key> <expiry> <payload> ABSTTL\` (expiry 0 when the record has none), or run \`lifeboat restore --target-redis-url …\`, which does exactly that.
`;
}

import { parseRedisSection } from './manifest.js';

/**
 * The by-hand restore of a Redis backup, as Markdown with one shell block that runs as
 * written once its settings are filled in: fetch, check the SHA-256 against the manifest,
 * decrypt with gpg (decompress with zstd), judge the file with redis-check-rdb, and start a
 * redis-server on it. Nothing of Lifeboat is needed.
 */
export function breakGlass(section: unknown): string {
  const { mode, compression } = parseRedisSection(section);
  if (mode === 'keys') return keysBreakGlass(compression);
  const stored = compression === 'zstd' ? 'dump.rdb.zst.pgp' : 'dump.rdb.pgp';
  const decrypt =
    compression === 'zstd'
      ? `gpg --decrypt ${stored} | zstd -d -q -o "$DATA/dump.rdb"`
      : `gpg --decrypt --output "$DATA/dump.rdb" ${stored}`;
  return `### Restore a Redis backup by hand

Needs only \`gpg\`${compression === 'zstd' ? ', `zstd`' : ''}, \`sha256sum\`, \`redis-check-rdb\` and \`redis-server\` (and \`aws\` for an S3 store; for a folder store use \`cp\` instead of \`aws s3 cp\`). The server it starts listens on 127.0.0.1 only and has every key of the snapshot; copy \`$DATA/dump.rdb\` into the \`dir\` of the server that should serve the data instead, as its \`dbfilename\`, and start that server.

\`\`\`sh
STORE=s3://my-backups/lifeboat     # your \`store\`
NAME=cache                         # the backup name (folder under the store)
ID=20261124T021700Z-k3m9qa         # a backup folder that has a manifest.json: aws s3 ls "$STORE/$NAME/"
DATA=./redis-restored              # an empty folder for the restored server's files
PORT=6390                          # a free port for it

aws s3 cp "$STORE/$NAME/$ID/manifest.json" manifest.json
aws s3 cp "$STORE/$NAME/$ID/${stored}" ${stored}
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

function keysBreakGlass(compression: 'none' | 'zstd'): string {
  const stored = compression === 'zstd' ? 'keys.lbrk.zst.pgp' : 'keys.lbrk.pgp';
  return `### Restore a Redis keys backup by hand

A \`redis-mode: keys\` backup is a record file of DUMP payloads (format \`lifeboat-redis-keys/1\`, documented byte by byte in docs/redis.md), not an RDB: decrypt it with \`gpg --decrypt --output keys.lbrk ${stored}\`${compression === 'zstd' ? ' (then `zstd -d`)' : ''} after checking its sha256 against the manifest, then write each record into an empty server with \`RESTORE <key> <expiry> <payload> ABSTTL\` (expiry 0 when the record has none), or run \`lifeboat restore --target-redis-url …\`, which does exactly that.
`;
}

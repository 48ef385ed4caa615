import { parseCommandLine, type CommandLine } from './command-line.js';

/** The presets `preset` offers. */
export const PRESET_NAMES = ['mongodb', 'mysql', 'mariadb', 'sqlite', 'keycloak'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The commands a preset fills in; each reads its URL from `SOURCE_*` (backup) or `TARGET_*` (drill, restore). */
export interface Preset {
  readonly name: PresetName;
  /** For docs and messages: what it runs and the versions it expects. */
  readonly versions: string;
  /** Payload file name before `.pgp`. */
  readonly payloadFile: string;
  /** Programs its backup and count commands run, checked on PATH by preflight. */
  readonly tools: readonly string[];
  backup(settings: PresetSettings): CommandLine;
  /** Prints a JSON object of counts (table or collection → rows or documents) of `SOURCE_*` or `TARGET_*`. */
  count(prefix: 'SOURCE' | 'TARGET'): CommandLine;
  restore(settings: PresetSettings): CommandLine;
  /** A command printing facts about the source to judge before the backup (MongoDB: sharded or not). */
  probe?(): CommandLine;
}

/** Choices that change a preset's commands. */
export interface PresetSettings {
  /** MongoDB replica sets: `--oplog` at backup, `--oplogReplay` at restore. */
  readonly oplog?: boolean;
}

const sh = (script: string) => parseCommandLine(script, 'preset');

/** Counts rows of every table with one `select count(*)` each: exact, unlike the catalogue's estimates. */
function sqlCount(client: string, prefix: 'SOURCE' | 'TARGET'): CommandLine {
  return sh(`set -eu
export MYSQL_PWD="\${${prefix}_PASSWORD:-}"
q() { ${client} --host="\${${prefix}_HOST:-127.0.0.1}" --port="\${${prefix}_PORT:-3306}" --user="\${${prefix}_USER:-root}" --batch --skip-column-names -e "$1" "\${${prefix}_DATABASE}"; }
tables=$(q "select table_name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' order by table_name")
out='{'; sep=''
for t in $tables; do n=$(q "select count(*) from \\\`$t\\\`"); out="$out$sep\\"$t\\":$n"; sep=','; done
printf '%s}\\n' "$out"`);
}

function sqlPreset(name: 'mysql' | 'mariadb', dump: string, client: string, versions: string): Preset {
  const login = (prefix: string) => `--host="\${${prefix}_HOST:-127.0.0.1}" --port="\${${prefix}_PORT:-3306}" --user="\${${prefix}_USER:-root}"`;
  return {
    name,
    versions,
    payloadFile: 'dump.sql',
    tools: [dump, client],
    // The password goes through MYSQL_PWD, never the command line.
    backup: () => sh(`MYSQL_PWD="\${SOURCE_PASSWORD:-}" exec ${dump} ${login('SOURCE')} --single-transaction --routines --triggers --hex-blob "\${SOURCE_DATABASE}"`),
    count: (prefix) => sqlCount(client, prefix),
    restore: () => sh(`MYSQL_PWD="\${TARGET_PASSWORD:-}" exec ${client} ${login('TARGET')} --batch "\${TARGET_DATABASE}"`),
  };
}

const MONGO_COUNT = (prefix: string) => `const d = connect(process.env.${prefix}_URL); const out = {};
for (const name of d.getMongo().getDBNames()) {
  if (['admin', 'local', 'config'].includes(name)) continue;
  const db = d.getSiblingDB(name);
  for (const c of db.getCollectionNames()) if (!c.startsWith('system.')) out[name + '.' + c] = db.getCollection(c).countDocuments({});
}
print(JSON.stringify(out));`;

/**
 * Keycloak's database settings from `<P>_*`: kc.sh reads KC_DB, KC_DB_URL (JDBC),
 * KC_DB_USERNAME and KC_DB_PASSWORD from its environment, so the password never reaches a
 * command line. The URL's scheme names the database (postgres, mysql, mariadb).
 */
function keycloakDatabase(prefix: 'SOURCE' | 'TARGET'): string {
  return `case "\${${prefix}_URL}" in
  postgres://*|postgresql://*) KC_DB=postgres; jdbc=postgresql; port=5432 ;;
  mysql://*) KC_DB=mysql; jdbc=mysql; port=3306 ;;
  mariadb://*) KC_DB=mariadb; jdbc=mariadb; port=3306 ;;
  *) echo "keycloak preset: the ${prefix === 'SOURCE' ? 'source' : 'target'} URL must be Keycloak's database, postgres://, mysql:// or mariadb://" >&2; exit 2 ;;
esac
export KC_DB
export KC_DB_URL="jdbc:$jdbc://\${${prefix}_HOST}:\${${prefix}_PORT:-$port}/\${${prefix}_DATABASE:-keycloak}"
export KC_DB_USERNAME="\${${prefix}_USER:-keycloak}"
export KC_DB_PASSWORD="\${${prefix}_PASSWORD:-}"
# kc.sh exports into files only: a private folder, removed however the script ends.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM`;
}

/** Exports every realm with its users into \`$dir\`; kc.sh's log goes to stderr, never into the payload. */
const KEYCLOAK_EXPORT = `kc.sh export --dir "$dir" --users realm_file >&2
ls "$dir"/*-realm.json >/dev/null 2>&1 || { echo "kc.sh export wrote no realm file" >&2; exit 1; }`;

/** Counts users, clients, groups and realm roles per realm in the exported files (node is the runtime Lifeboat itself runs on). */
const KEYCLOAK_COUNT = `node -e '
const fs = require("fs"), path = require("path"), out = {};
for (const file of fs.readdirSync(process.argv[1]).filter((f) => f.endsWith("-realm.json")).sort()) {
  const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], file), "utf8"));
  out[r.realm + ".users"] = (r.users || []).length;
  out[r.realm + ".clients"] = (r.clients || []).length;
  out[r.realm + ".groups"] = (r.groups || []).length;
  out[r.realm + ".realm-roles"] = ((r.roles || {}).realm || []).length;
}
console.log(JSON.stringify(out));' "$dir"`;

/** Every preset, by name. */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  mongodb: {
    name: 'mongodb',
    versions: 'MongoDB 4.4 to 8.0 with the MongoDB Database Tools 100.x (mongodump, mongorestore) and mongosh 2.x',
    payloadFile: 'dump.archive.gz',
    tools: ['mongodump', 'mongosh'],
    // The URL reaches the tools through a config file read from stdin, mongosh through its environment: never the command line.
    backup: ({ oplog }) => sh(`printf 'uri: "%s"\\n' "$SOURCE_URL" | exec mongodump --config=/dev/stdin --archive --gzip${oplog ? ' --oplog' : ''}`),
    count: (prefix) => ({ shell: false, argv: ['mongosh', '--nodb', '--quiet', '--norc', '--eval', MONGO_COUNT(prefix)] }),
    restore: ({ oplog }) => sh(`printf 'uri: "%s"\\n' "$TARGET_URL" | exec mongorestore --config=/dev/stdin --archive={payload} --gzip --drop${oplog ? ' --oplogReplay' : ''}`),
    probe: () => ({
      shell: false,
      argv: ['mongosh', '--nodb', '--quiet', '--norc', '--eval', 'const h = connect(process.env.SOURCE_URL).hello(); print(JSON.stringify({ msg: h.msg ?? null, setName: h.setName ?? null }));'],
    }),
  },
  mariadb: sqlPreset('mariadb', 'mariadb-dump', 'mariadb', 'MariaDB 10.5 to 11.x with its own mariadb-dump and mariadb clients'),
  mysql: sqlPreset('mysql', 'mysqldump', 'mysql', 'MySQL 8.0 to 8.4 with its mysqldump and mysql clients'),
  keycloak: {
    name: 'keycloak',
    versions: 'Keycloak 24 to 26 (the Quarkus distribution\'s kc.sh export and import, with a Java runtime) on PostgreSQL, MySQL or MariaDB',
    payloadFile: 'realms.tar',
    tools: ['kc.sh', 'tar', 'node'],
    backup: () => sh(`set -eu\n${keycloakDatabase('SOURCE')}\n${KEYCLOAK_EXPORT}\ntar -C "$dir" -cf - .`),
    count: (prefix) => sh(`set -eu\n${keycloakDatabase(prefix)}\n${KEYCLOAK_EXPORT}\n${KEYCLOAK_COUNT}`),
    restore: () => sh(`set -eu\n${keycloakDatabase('TARGET')}\ntar -C "$dir" -xf -\nkc.sh import --dir "$dir" --override true >&2`),
  },
  sqlite: {
    name: 'sqlite',
    versions: 'SQLite 3.x databases with the sqlite3 shell (3.32 or newer)',
    payloadFile: 'dump.sql',
    tools: ['sqlite3'],
    backup: () => sh(`[ -f "$SOURCE_PATH" ] || { echo "no such database file: $SOURCE_PATH" >&2; exit 1; }; exec sqlite3 -readonly "$SOURCE_PATH" .dump`),
    count: (prefix) =>
      sh(`set -eu
tables=$(sqlite3 -readonly "$${prefix}_PATH" "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
out='{'; sep=''
for t in $tables; do n=$(sqlite3 -readonly "$${prefix}_PATH" "select count(*) from \\"$t\\""); out="$out$sep\\"$t\\":$n"; sep=','; done
printf '%s}\\n' "$out"`),
    restore: () => sh(`exec sqlite3 -bail "$TARGET_PATH" ".read {payload}"`),
  },
};

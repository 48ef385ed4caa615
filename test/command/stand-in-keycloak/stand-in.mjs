// Stand-in for Keycloak's kc.sh (no Keycloak or Java runs on these machines). It follows the
// documented command lines of the Quarkus distribution for what the keycloak preset uses:
//   kc.sh export --dir <dir> [--realm <name>] [--users realm_file|different_files|skip]
//   kc.sh import --dir <dir> [--override true|false]
// with the database given by KC_DB, KC_DB_URL (JDBC), KC_DB_USERNAME and KC_DB_PASSWORD.
// Like the real one it logs to stdout, and with the default `--users different_files` it
// writes users to separate <realm>-users-N.json files, not into <realm>-realm.json.
// A "database" is a folder $STANDIN_KEYCLOAK_ROOT/<host>-<port>-<database> holding `password`
// and one <realm>.json per realm; `drop-a-user-on-import` in the target makes import lose one.
// Every run appends its arguments to $STANDIN_KEYCLOAK_ROOT/argv.log for the test to inspect.
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.env.STANDIN_KEYCLOAK_ROOT;
const [command, ...args] = process.argv.slice(2);
if (!root) fail('STANDIN_KEYCLOAK_ROOT is not set');
appendFileSync(join(root, 'argv.log'), `${JSON.stringify([command, ...args])}\n`);

function fail(message) {
  process.stdout.write(`ERROR: ${message}\n`);
  process.exit(1);
}
function option(name, fallback) {
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  const joined = args.find((a) => a.startsWith(`--${name}=`));
  return joined ? joined.slice(name.length + 3) : fallback;
}

process.stdout.write('Updating the configuration and installing your custom providers, if any. Please wait.\n');
process.stdout.write(`INFO  [org.keycloak.quarkus.runtime.KeycloakMain] Starting Keycloak 26.0.0 (${command})\n`);

const { KC_DB: kind, KC_DB_URL: jdbc, KC_DB_USERNAME: user, KC_DB_PASSWORD: password } = process.env;
if (!['postgres', 'mysql', 'mariadb'].includes(kind ?? '')) fail(`Invalid value for option '--db': ${kind}`);
const match = /^jdbc:(postgresql|mysql|mariadb):\/\/([^:/]+):(\d+)\/([^?]+)$/.exec(jdbc ?? '');
if (!match) fail(`Failed to obtain JDBC connection: bad KC_DB_URL ${jdbc}`);
const db = join(root, `${match[2]}-${match[3]}-${match[4]}`);
if (!existsSync(db)) fail(`Failed to obtain JDBC connection: ${match[2]}:${match[3]} refused`);
if (!user || readFileSync(join(db, 'password'), 'utf8') !== password) fail(`FATAL: password authentication failed for user "${user}"`);
const dir = option('dir');
if (!dir) fail(`Missing required option: '--dir' or '--file'`);

if (command === 'export') {
  const only = option('realm');
  const users = option('users', 'different_files');
  for (const file of readdirSync(db).filter((f) => f.endsWith('.json'))) {
    const realm = JSON.parse(readFileSync(join(db, file), 'utf8'));
    if (only && realm.realm !== only) continue;
    const { users: people = [], ...rest } = realm;
    writeFileSync(join(dir, `${realm.realm}-realm.json`), JSON.stringify(users === 'realm_file' ? realm : rest, null, 2));
    if (users === 'different_files') writeFileSync(join(dir, `${realm.realm}-users-0.json`), JSON.stringify({ realm: realm.realm, users: people }));
  }
  process.stdout.write('INFO  [org.keycloak.services] Export finished successfully\n');
} else if (command === 'import') {
  const override = option('override', 'true') === 'true';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('-realm.json'))) {
    const realm = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const target = join(db, `${realm.realm}.json`);
    if (existsSync(target) && !override) continue;
    if (existsSync(join(db, 'drop-a-user-on-import'))) realm.users = (realm.users ?? []).slice(1);
    writeFileSync(target, JSON.stringify(realm));
  }
  process.stdout.write('INFO  [org.keycloak.services] Import finished successfully\n');
} else {
  fail(`Unknown command: ${command}`);
}

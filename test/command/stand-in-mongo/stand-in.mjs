// Stand-ins for mongodump, mongorestore and mongosh (no MongoDB server runs on these machines).
// They follow the real programs' documented command lines for what the mongodb preset uses:
//   mongodump   --config=<yaml with uri:> --archive[=<file>] --gzip [--oplog]
//   mongorestore --config=<yaml with uri:> --archive=<file> --gzip --drop [--oplogReplay]
//   mongosh     --nodb --quiet --norc --eval <script>   (connect(), print(), process.env)
// A "server" is a folder $STANDIN_MONGO_ROOT/<host>: <db>/<collection>.json arrays of documents,
// a file `mongos` makes it a sharded cluster's router, `replset` (holding the set name) a member
// of a replica set, and `fail-after-half` makes mongodump write half its archive and exit 1.
// Every run appends its arguments to $STANDIN_MONGO_ROOT/argv.log for the test to inspect.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import vm from 'node:vm';

const root = process.env.STANDIN_MONGO_ROOT;
const program = process.argv[2];
const args = process.argv.slice(3);
if (!root) fail('STANDIN_MONGO_ROOT is not set');
appendFileSync(join(root, 'argv.log'), `${JSON.stringify([program, ...args])}\n`);

function fail(message) {
  process.stderr.write(`${new Date().toISOString()}\tFailed: ${message}\n`);
  process.exit(1);
}
function option(name) {
  const hit = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : true;
}
function serverDir(uri) {
  if (!uri) fail('no connection string: give --uri or uri in --config');
  let url;
  try {
    url = new URL(uri);
  } catch {
    fail(`error parsing uri: ${uri.replace(/:[^:@/]*@/, ':<credentials>@')}`);
  }
  if (url.protocol !== 'mongodb:' && url.protocol !== 'mongodb+srv:') fail('error parsing uri: scheme must be "mongodb" or "mongodb+srv"');
  const dir = join(root, url.hostname);
  if (!existsSync(dir)) fail(`server selection error: server ${url.host} is not reachable`);
  return dir;
}
function configUri() {
  const config = option('config');
  if (typeof config !== 'string') return undefined;
  const text = readFileSync(config, 'utf8');
  const match = /^uri:\s*"?([^"\n]*)"?\s*$/m.exec(text);
  if (!match) fail(`error parsing config file ${config}: no uri`);
  return match[1];
}
function readServer(dir) {
  const dbs = {};
  for (const db of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    dbs[db.name] = {};
    for (const file of readdirSync(join(dir, db.name)).filter((f) => f.endsWith('.json'))) {
      dbs[db.name][file.slice(0, -5)] = JSON.parse(readFileSync(join(dir, db.name, file), 'utf8'));
    }
  }
  return dbs;
}

if (program === 'mongodump') {
  const dir = serverDir(configUri() ?? option('uri'));
  if (existsSync(join(dir, 'mongos')) && option('oplog')) fail('--oplog mode only supported on replica sets');
  if (option('oplog') && !existsSync(join(dir, 'replset'))) fail('No oplog found: --oplog mode only supported on replica sets');
  const archive = option('archive');
  if (archive === undefined) fail('the stand-in writes archives only: give --archive');
  const body = Buffer.from(`STANDIN-MONGO-ARCHIVE\n${JSON.stringify({ oplog: Boolean(option('oplog')), dbs: readServer(dir) })}\n`);
  const out = option('gzip') ? gzipSync(body) : body;
  for (const [db, colls] of Object.entries(readServer(dir))) for (const c of Object.keys(colls)) process.stderr.write(`done dumping ${db}.${c}\n`);
  if (existsSync(join(dir, 'fail-after-half'))) {
    process.stdout.write(out.subarray(0, out.length >> 1), () => fail('error writing data for collection `shop.orders` to disk: connection reset by peer'));
  } else if (archive === true) process.stdout.write(out);
  else writeFileSync(archive, out);
} else if (program === 'mongorestore') {
  const dir = serverDir(configUri() ?? option('uri'));
  const archive = option('archive');
  const raw = typeof archive === 'string' ? readFileSync(archive) : readFileSync(0);
  let body;
  try {
    body = (option('gzip') ? gunzipSync(raw) : raw).toString('utf8');
  } catch {
    fail('stream or file does not appear to be a mongodump archive');
  }
  if (!body.startsWith('STANDIN-MONGO-ARCHIVE\n')) fail('stream or file does not appear to be a mongodump archive');
  const { dbs, oplog } = JSON.parse(body.split('\n')[1]);
  if (oplog && !option('oplogReplay')) process.stderr.write('the archive holds an oplog that was not replayed\n');
  let count = 0;
  for (const [db, colls] of Object.entries(dbs)) {
    mkdirSync(join(dir, db), { recursive: true });
    for (const [c, docs] of Object.entries(colls)) {
      const file = join(dir, db, `${c}.json`);
      if (existsSync(file) && !option('drop')) fail(`E11000 duplicate key error collection: ${db}.${c}`);
      rmSync(file, { force: true });
      writeFileSync(file, JSON.stringify(docs));
      count += docs.length;
    }
  }
  process.stderr.write(`${count} document(s) restored successfully. 0 document(s) failed to restore.\n`);
} else if (program === 'mongosh') {
  const script = option('eval') === true ? args[args.indexOf('--eval') + 1] : option('eval');
  if (!args.includes('--nodb') || typeof script !== 'string') fail('the stand-in runs `mongosh --nodb --eval <script>` only');
  const connect = (uri) => {
    const dir = serverDir(uri);
    const dbOf = (name) => ({
      getCollectionNames: () => Object.keys(readServer(dir)[name] ?? {}).sort(),
      getCollection: (c) => ({ countDocuments: () => (readServer(dir)[name]?.[c] ?? []).length }),
    });
    return {
      hello: () => ({
        isWritablePrimary: true,
        ...(existsSync(join(dir, 'mongos')) ? { msg: 'isdbgrid' } : {}),
        ...(existsSync(join(dir, 'replset')) ? { setName: readFileSync(join(dir, 'replset'), 'utf8').trim() } : {}),
      }),
      getMongo: () => ({ getDBNames: () => ['admin', 'config', 'local', ...Object.keys(readServer(dir))].sort() }),
      getSiblingDB: dbOf,
    };
  };
  vm.runInNewContext(script, { connect, print: (...v) => process.stdout.write(`${v.join(' ')}\n`), process: { env: process.env } });
} else fail(`unknown stand-in ${program}`);

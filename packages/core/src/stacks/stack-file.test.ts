import { describe, expect, it } from 'vitest';
import { ENGINES } from '../engines/registry.js';
import { expandReferences, onlyReferences, referencedVariables } from './env-refs.js';
import { parseStackFile } from './stack-file.js';

const GOOD = `stack: shop
max-skew: 5m
restore-order: [app, cache]
assets:
  - name: app
    engine: postgres
    settings:
      database-url: \${APP_DATABASE_URL}
      counts: exact
    checks:
      - {name: orders exist, sql: "select 1 from orders", expect: some rows}
  - name: cache
    engine: redis
    settings:
      redis-url: \${CACHE_REDIS_URL}
checks:
  - name: sessions cached
    keys-from: {asset: app, sql: "select 'session:' || id from sessions"}
    exist-in: cache
    sample: 50
  - name: no orphans
    on: app
    sql: select 1 from orders where customer_id is null
    expect: no rows
`;

const SERVICE = `${GOOD}after-restore:
  command: [node, "{stack-dir}/service.js"]
  env:
    DATABASE_URL: \${app.url}
    REDIS_URL: \${cache.url}
    TOKEN: \${SERVICE_TOKEN}
  ready: {http: "http://127.0.0.1:8080/healthz", timeout: 60s}
  checks:
    - name: ready
      http: GET http://127.0.0.1:8080/readyz
      expect-status: 200
      expect-body: '"ok"'
    - {name: head, http: "HEAD http://[::1]:8080/", timeout: 2s}
`;

const parse = (text: string) => parseStackFile(text, 'stack file lifeboat.yml', ENGINES);

describe('parseStackFile', () => {
  it('reads a stack: members named <stack>-<asset>, order, skew and both kinds of cross-asset check', () => {
    const stack = parse(GOOD);
    expect(stack.name).toBe('shop');
    expect(stack.maxSkewMs).toBe(300_000);
    expect(stack.assets.map((a) => [a.name, a.engine, a.backupName])).toEqual([
      ['app', 'postgres', 'shop-app'],
      ['cache', 'redis', 'shop-cache'],
    ]);
    expect(stack.assets[0]!.settings).toEqual({ 'database-url': '${APP_DATABASE_URL}', counts: 'exact' });
    expect(stack.assets[0]!.restoreSettings).toEqual({});
    expect(stack.restoreOrder).toEqual(['app', 'cache']);
    expect(stack.checks).toEqual([
      { type: 'keys', name: 'sessions cached', from: 'app', query: "select 'session:' || id from sessions", existIn: 'cache', sample: 50 },
      { type: 'on', name: 'no orphans', on: 'app', entry: { name: 'no orphans', sql: 'select 1 from orders where customer_id is null', expect: 'no rows' } },
    ]);
  });

  it('reads an after-restore service and its HTTP checks', () => {
    const { afterRestore } = parse(SERVICE);
    expect(afterRestore).toEqual({
      command: { shell: false, argv: ['node', '{stack-dir}/service.js'] },
      env: { DATABASE_URL: '${app.url}', REDIS_URL: '${cache.url}', TOKEN: '${SERVICE_TOKEN}' },
      ready: { url: 'http://127.0.0.1:8080/healthz', timeoutMs: 60_000 },
      checks: [
        { name: 'ready', method: 'GET', url: 'http://127.0.0.1:8080/readyz', expectStatus: 200, expectBody: '"ok"', timeoutMs: 10_000 },
        { name: 'head', method: 'HEAD', url: 'http://[::1]:8080/', expectStatus: 200, timeoutMs: 2000 },
      ],
    });
    expect(parse(GOOD).afterRestore).toBeUndefined();
  });

  it('defaults the restore order to the order of the assets', () => {
    const stack = parse(GOOD.replace('restore-order: [app, cache]\n', ''));
    expect(stack.restoreOrder).toEqual(['app', 'cache']);
  });

  const swap = (from: string, to: string) => GOOD.replace(from, to);
  it.each([
    ['an inline secret', swap('${APP_DATABASE_URL}', 'postgres://app@db/app'), /line 8: asset `app`: `database-url` is a secret/],
    ['a password in a URL of a non-secret option', swap('${CACHE_REDIS_URL}\n', '${CACHE_REDIS_URL}\n      redis-server-path: http://u:pw@x/\n'), /line 16: .*holds a password/],
    ['a malformed reference', swap('${CACHE_REDIS_URL}', '${cache url}'), /line 15: .*not an environment variable reference/],
    ['an unknown setting', swap('counts: exact', 'colour: red'), /line 9: asset `app`: `colour` is not an engine setting/],
    ['a stack-wide option set per asset', swap('counts: exact', 'recipients: age1x'), /line 9: .*`recipients` is not an engine setting/],
    ['a setting value that does not parse', swap('counts: exact', 'counts: many'), /line 9: .*`counts` \(got 'many'\): expected one of/],
    ['an unknown engine', swap('engine: redis', 'engine: mongo'), /line 13: asset `cache` has engine `mongo`/],
    ['an asset named twice', swap('name: cache', 'name: app'), /line 12: asset `app` is named twice/],
    ['an unknown field', swap('max-skew: 5m', 'max-skew: 5m\nretries: 3'), /line 1: the document: unknown field `retries`/],
    ['a skew that is no duration', swap('max-skew: 5m', 'max-skew: soon'), /line 2: `max-skew` \(got 'soon'\) is not a duration/],
    ['a restore order naming a stranger', swap('[app, cache]', '[app, cache, queue]'), /line 3: `queue` is not an asset/],
    ['a restore order missing an asset', swap('[app, cache]', '[app]'), /line 3: `cache` is missing/],
    ['a restore order naming one twice', swap('[app, cache]', '[app, app, cache]'), /line 3: `app` is listed twice/],
    ['a member check in the wrong language', swap('sql: "select 1 from orders"', 'command: "GET x"'), /line 11: .*sql/],
    ['a cross check on a stranger', swap('on: app', 'on: queue'), /line 22: `queue` is not an asset/],
    ['keys from an asset with the wrong query field', swap("{asset: app, sql:", "{asset: app, command:"), /line 18: .*takes `asset` and `sql`/],
    ['keys looked up where they cannot be', swap('exist-in: cache', 'exist-in: app'), /line 19: .*cannot be asked whether keys exist/],
    ['a sample that is no count', swap('sample: 50', 'sample: some'), /line 20: .*`sample`/],
    ['a cross check naming no asset', swap('    on: app\n', ''), /line 21: check "no orphans" names no asset/],
    ['no assets', 'stack: shop\nassets: []\n', /line 2: `assets`: a stack has at least one asset/],
    ['a bad stack name', swap('stack: shop', 'stack: "../x"'), /line 1: `stack`: the stack name is a backup name/],
    ['YAML that does not parse', 'stack: [shop\n', /line \d: not valid YAML/],
    ['an after-restore check against another machine', SERVICE.replace('GET http://127.0.0.1:8080/readyz', 'GET http://shop.example.com/readyz'), /line 34: `after-restore.checks.0.http`: 'http:\/\/shop.example.com\/readyz' is not on the loopback interface/],
    ['an after-restore ready URL over https', SERVICE.replace('"http://127.0.0.1:8080/healthz"', '"https://127.0.0.1:8080/healthz"'), /line 31: `after-restore.ready.http`: .* is not an http:\/\/ URL/],
    ['an after-restore URL with credentials', SERVICE.replace('GET http://127.0.0.1:8080/readyz', 'GET http://u:p@127.0.0.1:8080/readyz'), /line 34: .*holds credentials/],
    ['an after-restore check method that is not GET or HEAD', SERVICE.replace('GET http://127.0.0.1:8080/readyz', 'DELETE http://127.0.0.1:8080/readyz'), /line 34: check "ready": `http` \(got 'DELETE/],
    ['an after-restore status that is no status', SERVICE.replace('expect-status: 200', 'expect-status: 42'), /line 35: `after-restore.checks.0.expect-status`/],
    ['an after-restore field it does not know', SERVICE.replace('expect-status: 200', 'expect-status: 200\n      follow: true'), /line 33: `after-restore.checks.0`: unknown field `follow`/],
    ['an after-restore env naming a stranger', SERVICE.replace('${cache.url}', '${queue.url}'), /line 29: `after-restore.env.REDIS_URL` references `queue`/],
    ['an after-restore env with a malformed reference', SERVICE.replace('${cache.url}', '${cache.port}'), /line 29: .*neither an environment variable/],
    ['an after-restore env handing over Lifeboat\'s own secrets', SERVICE.replace('${cache.url}', '${LIFEBOAT_IDENTITY}'), /line 29: .*never given to the service/],
    ['an after-restore env with a password in a URL', SERVICE.replace('${cache.url}', 'redis://:pw@127.0.0.1:6379'), /line 29: .*holds a password/],
    ['an after-restore ready timeout that is no duration', SERVICE.replace('timeout: 60s', 'timeout: later'), /line 31: `after-restore.ready.timeout` \(got 'later'\)/],
    ['an after-restore without ready', SERVICE.replace(/  ready: .*\n/, ''), /line 26: `after-restore.ready`/],
    ['an after-restore command that is empty', SERVICE.replace('command: [node, "{stack-dir}/service.js"]', 'command: []'), /line 26: `after-restore.command`/],
  ])('refuses %s, naming the line', (_label, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});

describe('environment references', () => {
  it.each([
    ['${A}', ['A'], true],
    ['redis://:${PW}@cache:6379', ['PW'], false],
    ['$$literal', [], false],
    ['plain', [], false],
  ])('%s references %j (only references: %s)', (value, names, only) => {
    expect(referencedVariables(value)).toEqual(names);
    expect(onlyReferences(value)).toBe(only);
  });

  it('expands references and refuses an unset variable by name', () => {
    expect(expandReferences('redis://:${PW}@h/$$', { PW: 's3cret' }, 'x')).toBe('redis://:s3cret@h/$');
    expect(() => expandReferences('${PW}', {}, 'asset `cache` setting `redis-url`')).toThrow('asset `cache` setting `redis-url` references ${PW}, which is not set');
  });
});

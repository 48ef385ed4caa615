import { describe, expect, it } from 'vitest';
import { judgeHttpCheck, loopbackProblem, type HttpCheck } from './after-restore.js';
import { expandServiceValue, serviceReferences } from './env-refs.js';

const CHECK: HttpCheck = { name: 'ready', method: 'GET', url: 'http://127.0.0.1:8080/readyz', expectStatus: 200, expectBody: '"ok"', timeoutMs: 1000 };

describe('loopbackProblem', () => {
  it.each([
    ['http://127.0.0.1:8080/readyz', undefined],
    ['http://localhost/', undefined],
    ['http://[::1]:9000/x', undefined],
    ['http://10.0.0.5/readyz', /not on the loopback interface/],
    ['http://127.0.0.1.example.com/', /not on the loopback interface/],
    ['https://127.0.0.1/', /not an http:\/\/ URL/],
    ['http://admin:pw@127.0.0.1/', /holds credentials/],
    ['127.0.0.1:8080', /not an http:\/\/ URL|not a URL/],
  ])('%s: %s', (url, problem) => {
    const found = loopbackProblem(url);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('judgeHttpCheck', () => {
  it.each([
    ['the status and body expected', { status: 200, body: '"ok"', durationMs: 3 }, true, 'status 200', undefined],
    ['another status', { status: 503, body: 'down\n', durationMs: 3 }, false, 'status 503', 'GET http://127.0.0.1:8080/readyz answered 503, expected 200. Its body began: down'],
    ['a redirect, not followed', { status: 302, body: '', location: 'https://prod.example.com/', durationMs: 3 }, false, 'status 302', 'GET http://127.0.0.1:8080/readyz answered 302 (a redirect to https://prod.example.com/, not followed), expected 200.'],
    ['the status but not the body', { status: 200, body: '"starting"', durationMs: 3 }, false, 'status 200, body without "\\"ok\\""', 'GET http://127.0.0.1:8080/readyz answered 200 but its body does not contain "\\"ok\\"". Its body began: "starting"'],
    ['no answer', { error: 'connect ECONNREFUSED 127.0.0.1:8080', durationMs: 3 }, false, 'no answer', 'GET http://127.0.0.1:8080/readyz got no answer: connect ECONNREFUSED 127.0.0.1:8080'],
  ] as const)('%s', (_label, answer, ok, actual, message) => {
    const result = judgeHttpCheck(CHECK, answer);
    expect(result).toMatchObject({ name: 'ready', kind: 'http', ok, actual, expected: 'status 200, body containing "\\"ok\\""' });
    expect(result.message).toBe(message);
  });
});

describe('after-restore env references', () => {
  it('tells environment variables from member endpoints, and expands both', () => {
    expect(serviceReferences('${app.url}?x=${TOKEN}&p=${files.path}&e=${cache.env.REDIS_URL}$$')).toEqual({
      variables: ['TOKEN'],
      members: [
        { asset: 'app', field: 'url' },
        { asset: 'files', field: 'path' },
        { asset: 'cache', field: 'env.REDIS_URL' },
      ],
    });
    const member = (ref: { asset: string; field: string }) => (ref.asset === 'app' && ref.field === 'url' ? 'postgres://a@127.0.0.1:5432/shop' : undefined);
    expect(expandServiceValue('${app.url}#${TOKEN}$$', { TOKEN: 't0ken' }, member, 'x')).toBe('postgres://a@127.0.0.1:5432/shop#t0ken$');
    expect(() => expandServiceValue('${files.path}', {}, member, '`after-restore.env.DIR`')).toThrow('`after-restore.env.DIR` references ${files.path}, which the restored member `files` does not give.');
    expect(() => expandServiceValue('${TOKEN}', {}, member, '`after-restore.env.T`')).toThrow('references ${TOKEN}, which is not set');
    expect(() => serviceReferences('${app.password}')).toThrow(/neither an environment variable/);
  });
});

describe('the runbook', () => {
  it('names the after-restore service, what it is given and its checks', async () => {
    const { ENGINES } = await import('../engines/registry.js');
    const { parseStackFile } = await import('./stack-file.js');
    const { renderRunbook } = await import('./runbook.js');
    const stack = parseStackFile(
      `stack: shop
assets:
  - name: app
    engine: postgres
    settings:
      database-url: \${APP_DATABASE_URL}
after-restore:
  command: [node, "{stack-dir}/service.js"]
  env:
    DATABASE_URL: \${app.url}
    TOKEN: \${SERVICE_TOKEN}
    PORT: 8080
  ready: {http: "http://127.0.0.1:8080/healthz"}
  checks:
    - {name: the service is ready, http: "GET http://127.0.0.1:8080/readyz", expect-body: ok}
`,
      'stack file lifeboat.yml',
      ENGINES,
    );
    const record = { id: 'r1', window: { first: 'a', last: 'b' } } as Parameters<typeof renderRunbook>[1];
    const text = renderRunbook(stack, record, [], { location: '/s', shell: '/s', kind: 'local' });
    expect(text).toContain('## After the restore: the service');
    expect(text).toContain('Start the service against the restored members: `node \'<folder of the stack file>/service.js\'`');
    expect(text).toContain("- `DATABASE_URL` = the restored app's url");
    expect(text).toContain('- `TOKEN` = ${SERVICE_TOKEN} (from the environment)');
    expect(text).toContain('It is up when `GET http://127.0.0.1:8080/healthz` answers 2xx (the drill waits 60s at most).');
    expect(text).toContain('- the service is ready: `GET http://127.0.0.1:8080/readyz` answers 200 with a body containing `ok`');
  });
});

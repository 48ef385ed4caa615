import { describe, expect, it } from 'vitest';
import { judgePreflight, MEMBER_REQUIRED_CHECKS, renderPreflightTable, REQUIRED_CHECKS, type CheckStatus, type PreflightCheck } from './verdict.js';

/** Every required check and PostgreSQL's own rows, passing unless overridden by name. */
function rows(overrides: Record<string, CheckStatus> = {}, extra: PreflightCheck[] = []): PreflightCheck[] {
  return [...REQUIRED_CHECKS, 'pg_dump', 'privileges app']
    .map((name) => ({ name, status: overrides[name] ?? 'pass', detail: 'x' }))
    .concat(extra);
}

describe('judgePreflight', () => {
  it.each<[string, PreflightCheck[], boolean, string[], string[]]>([
    ['every check passes', rows(), true, [], []],
    ['a warning still passes', rows({ encryption: 'warn' }), true, [], ['encryption']],
    ['one failure fails', rows({ store: 'fail' }), false, ['store'], []],
    ['a check that could not run fails', rows({ source: 'fail', pg_dump: 'skip', 'privileges app': 'skip' }), false, ['source', 'pg_dump', 'privileges app'], []],
    ['an optional check that fails fails', rows({}, [{ name: 'signing', status: 'fail', detail: 'x' }]), false, ['signing'], []],
    ['a required check that never ran fails', rows().filter((c) => c.name !== 'store'), false, ['store'], []],
    ['nothing checked fails', [], false, [...REQUIRED_CHECKS], []],
    [
      'privileges counts once per database, by prefix',
      [...rows(), { name: 'privileges shop', status: 'fail', detail: 'x' }],
      false,
      ['privileges shop'],
      [],
    ],
  ])('%s', (_case, checks, ok, failed, warned) => {
    expect(judgePreflight(checks)).toEqual({ ok, failed, warned });
  });
});

describe('judgePreflight with the checks a stack member must have', () => {
  const member = (overrides: Record<string, CheckStatus> = {}) =>
    ['settings', ...MEMBER_REQUIRED_CHECKS].map((name) => ({ name, status: overrides[name] ?? 'pass', detail: 'x' }) as PreflightCheck);
  it.each<[string, PreflightCheck[], boolean, string[]]>([
    ['settings, engine and source pass: no store or keys needed', member(), true, []],
    ['an engine without checks warns, and passes', member({ source: 'warn' }), true, []],
    ['settings that cannot expand skip the source', member({ settings: 'fail', source: 'skip' }), false, ['settings', 'source']],
    ['no source row fails', member().filter((c) => c.name !== 'source'), false, ['source']],
  ])('%s', (_case, checks, ok, failed) => {
    const verdict = judgePreflight(checks, ['settings', ...MEMBER_REQUIRED_CHECKS]);
    expect([verdict.ok, verdict.failed]).toEqual([ok, failed]);
  });
});

describe('renderPreflightTable', () => {
  it('shows each check as PASS/WARN/FAIL/SKIP with the verdict, escaping table syntax', () => {
    const checks: PreflightCheck[] = [
      { name: 'store', status: 'pass', detail: 'probe written | read | removed' },
      { name: 'pg_dump', status: 'skip', detail: 'needs the source' },
      { name: 'source', status: 'fail', detail: 'unreachable\nfix it' },
    ];
    const text = renderPreflightTable(checks, judgePreflight(checks));
    expect(text).toContain('| store | PASS | probe written \\| read \\| removed |');
    expect(text).toContain('| pg_dump | SKIP | needs the source |');
    expect(text).toContain('| source | FAIL | unreachable fix it |');
    expect(text).toContain('**FAIL**: pg_dump, source, settings, encryption. Fix them before the next backup.');
  });

  it('says PASS, naming warnings', () => {
    const checks = rows({ signing: 'warn' }, [{ name: 'signing', status: 'warn', detail: 'unsigned' }]);
    expect(renderPreflightTable(checks, judgePreflight(checks))).toContain('**PASS** (with warnings: signing): a backup with these settings can run.');
  });
});

import { request } from 'node:http';
import type { CheckResult } from '../catalog/drill-record.js';
import type { RunContext } from '../context.js';
import { describeCommand, withPathPlaceholder } from '../engines/command/command-line.js';
import { CommandFailedError } from '../engines/command/errors.js';
import { commandFailure } from '../engines/command/run-command.js';
import { childEnv } from '../process/child-env.js';
import { guardCleanup } from '../process/cleanup-guard.js';
import { spawnTool, type ToolExit } from '../process/spawn-tool.js';
import { describeError } from '../report/errors.js';
import { redact, registerSecret } from '../report/secrets.js';
import { judgeHttpCheck, type AfterRestore, type HttpAnswer, type HttpCheck } from './after-restore.js';
import type { RestoredMember } from './cross-checks.js';
import { expandServiceValue, type MemberReference } from './env-refs.js';

/** Lines of the service's output kept for messages. */
const TAIL_LINES = 20;
/** Bytes of an answer's body read; the rest is not needed to judge it. */
const BODY_LIMIT = 64 * 1024;

/** A started after-restore service, until `stop`. */
export interface RunningService {
  /** The `after-restore: ready` check: how long it took to answer. */
  readonly ready: CheckResult;
  /** The last lines of its stdout and stderr (redacted), for the evidence when a check fails. */
  outputTail(): string;
  /** Stops the service's whole process group (SIGTERM, then SIGKILL); never throws. */
  stop(): Promise<void>;
}

/** A restored member's endpoint field (`url`, `path`, `env.NAME`), or undefined when it gives none. */
export function memberField(members: readonly RestoredMember[], reference: MemberReference): string | undefined {
  const endpoint = members.find((m) => m.asset === reference.asset)?.target.endpoint;
  if (!endpoint) return undefined;
  if (reference.field === 'url') return endpoint.url;
  if (reference.field === 'path') return endpoint.path;
  return endpoint.env[reference.field.slice('env.'.length)];
}

/**
 * Starts the after-restore service in `dir` (its working and temp folder) with the
 * allow-listed environment and what its `env:` names (expanded, registered as secrets), and
 * waits until `ready` answers 2xx. A service that exits first, or is not ready in time, is
 * stopped and fails naming the command, its exit status and the end of its output.
 */
export async function startService(spec: AfterRestore, members: readonly RestoredMember[], options: { dir: string; stackDir: string }, context: RunContext): Promise<RunningService> {
  const extra: Record<string, string> = { TMPDIR: options.dir, TMP: options.dir, TEMP: options.dir };
  for (const [name, value] of Object.entries(spec.env)) {
    const expanded = expandServiceValue(value, context.env, (ref) => memberField(members, ref), `\`after-restore.env.${name}\``);
    if (expanded !== value) registerSecret(expanded);
    extra[name] = expanded;
  }
  const command = withPathPlaceholder(spec.command, '{stack-dir}', options.stackDir);
  const { program, args } = command.shell ? { program: '/bin/sh', args: ['-c', command.script] } : { program: command.argv[0]!, args: command.argv.slice(1) };
  const tail: string[] = [];
  const keep = (line: string) => {
    const clean = redact(line.replace(/\r$/, ''));
    if (!clean.trim()) return;
    tail.push(clean.length > 500 ? `${clean.slice(0, 500)}...` : clean);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const started = performance.now();
  const run = spawnTool(program, args, { env: childEnv(context.env, extra), cwd: options.dir, stdout: 'pipe', processGroup: true, onStderrLine: keep, tailLines: TAIL_LINES });
  let partial = '';
  run.stdout!.setEncoding('utf8');
  run.stdout!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = (lines.pop() ?? '').slice(0, 64 * 1024);
    for (const line of lines) keep(line);
  });
  // If this process dies before stopping it, the watchdog stops the whole group.
  const guard = run.child.pid !== undefined ? guardCleanup({ pid: -run.child.pid, stopSignal: 'SIGTERM' }) : undefined;
  let exit: ToolExit | undefined;
  void run.exit.then((e) => (exit = e));
  const stop = async () => {
    run.kill();
    await run.exit;
    guard?.release();
  };
  const label = describeCommand(spec.command);
  const output = () => (tail.length > 0 ? ` Its output ended with: ${tail.slice(-5).join(' / ')}` : ' It wrote nothing.');
  try {
    const deadline = started + spec.ready.timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (exit) {
        if (partial) keep(partial);
        throw new CommandFailedError(`The after-restore service \`${label}\` ${commandFailure(exit, 1, false) ?? 'exited with status 0'} before ${spec.ready.url} answered.${output()}`, 'Run the service by hand against a restored copy to see why (docs/stacks.md, "After the restore").');
      }
      context.signal?.throwIfAborted();
      const answer = await httpAnswer('GET', spec.ready.url, Math.max(100, Math.min(2000, deadline - performance.now())), context.signal);
      if ('status' in answer && answer.status >= 200 && answer.status < 300) break;
      last = 'status' in answer ? `it answered ${answer.status}` : `no answer: ${answer.error}`;
      if (performance.now() >= deadline) {
        throw new CommandFailedError(`The after-restore service \`${label}\` was not ready within ${(spec.ready.timeoutMs / 1000).toFixed(0)}s: GET ${spec.ready.url} last got ${redact(last)}.${output()}`, 'Give it a longer `ready.timeout`, or run it by hand against a restored copy to see why.');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const ms = Math.round(performance.now() - started);
  return {
    ready: { name: 'after-restore: service ready', kind: 'service', ok: true, expected: `GET ${spec.ready.url} answers 2xx within ${(spec.ready.timeoutMs / 1000).toFixed(0)}s`, actual: `ready after ${(ms / 1000).toFixed(1)}s`, command: label, durationMs: ms },
    outputTail: () => [...tail, ...(partial ? [redact(partial)] : [])].slice(-5).join(' / '),
    stop: () => stop().catch(() => undefined),
  };
}

/** Runs the HTTP checks one after another; a check without an answer fails, the others still run. */
export async function runHttpChecks(checks: readonly HttpCheck[], context: RunContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(judgeHttpCheck(check, await httpAnswer(check.method, check.url, check.timeoutMs, context.signal)));
  return results;
}

/**
 * One request, bounded in time and in the body read, redirects not followed, no proxy and no
 * connection reuse (node:http, a fresh socket); never throws.
 */
export function httpAnswer(method: 'GET' | 'HEAD', url: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(timeoutMs);
  return new Promise<HttpAnswer>((resolve) => {
    let settled = false;
    const done = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const req = request(url, { method, agent: false, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, headers: { 'user-agent': 'lifeboat-drill' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= BODY_LIMIT) {
          body = body.slice(0, BODY_LIMIT);
          res.destroy();
          done({ status: res.statusCode ?? 0, body, location: res.headers.location, durationMs: took() });
        }
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body, location: res.headers.location, durationMs: took() }));
      res.on('error', (error) => done({ error: timeout.aborted ? `no full answer within ${timeoutMs} ms` : describeError(error), durationMs: took() }));
    });
    req.on('error', (error) => done({ error: timeout.aborted ? `no answer within ${timeoutMs} ms` : describeError(error), durationMs: took() }));
    req.end();
  });
}

/**
 * Opens a local HTML file in the machine's headless Chromium (Debian's `chromium`) and drives it
 * over the DevTools protocol with Node's own WebSocket: everything the page logged as an error,
 * threw, or failed to load; a measurement script's result on screen and as printed; a
 * screenshot; a PDF. The browser and its profile folder are removed afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Chromium binary on PATH, if any. */
export const chromium = ['chromium', 'chromium-browser'].find((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);

export interface OpenedPage {
  /** Console errors and warnings, uncaught exceptions and failed loads, one line each. */
  problems: string[];
  /** The measurement's result on screen. */
  screen: unknown;
  /** The measurement's result with print media emulated. */
  print: unknown;
  screenshot: Buffer;
  pdf: Buffer;
}

/** How long one DevTools step may take on a busy machine. */
const STEP_MS = 30_000;

type Message = { id?: number; method?: string; params?: Record<string, any>; result?: Record<string, any>; error?: { message: string }; sessionId?: string };

/** Loads `file`, waits for the load event, and runs `measure` (an expression) on screen and in print media. */
export async function openInChromium(file: string, measure: string): Promise<OpenedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'lifeboat-chromium-'));
  const browser = spawn(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start: ${text}`)), 30_000);
      browser.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
      browser.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${text}`)));
    });
    const cdp = await connect(url);
    try {
      const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
      const page = (method: string, params: Record<string, unknown> = {}) => cdp.send(method, params, sessionId);
      const problems: string[] = [];
      cdp.on((message) => {
        if (message.sessionId !== sessionId) return;
        const p = message.params ?? {};
        if (message.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(p.type)) problems.push(`console.${p.type}: ${p.args?.map((a: any) => a.value ?? a.description).join(' ')}`);
        if (message.method === 'Runtime.exceptionThrown') problems.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
        if (message.method === 'Log.entryAdded' && ['error', 'warning'].includes(p.entry?.level)) problems.push(`log ${p.entry.level}: ${p.entry.text} ${p.entry.url ?? ''}`.trim());
        if (message.method === 'Network.loadingFailed') problems.push(`load failed: ${p.errorText}`);
        if (message.method === 'Network.requestWillBeSent' && p.request?.url !== pathToFileURL(file).href) problems.push(`request: ${p.request?.url}`);
      });
      await Promise.all([page('Runtime.enable'), page('Log.enable'), page('Page.enable'), page('Network.enable')]);
      await page('Emulation.setDeviceMetricsOverride', { width: 1200, height: 900, deviceScaleFactor: 1, mobile: false });
      const loaded = cdp.next((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired');
      await page('Page.navigate', { url: pathToFileURL(file).href });
      await loaded;
      const evaluate = async () => {
        const { result, exceptionDetails } = await page('Runtime.evaluate', { expression: measure, returnByValue: true });
        if (exceptionDetails) throw new Error(`measurement failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
        return result.value;
      };
      const screen = await evaluate();
      const screenshot = Buffer.from((await page('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })).data, 'base64');
      await page('Emulation.setEmulatedMedia', { media: 'print' });
      const print = await evaluate();
      const pdf = Buffer.from((await page('Page.printToPDF', { printBackground: true })).data, 'base64');
      return { problems, screen, print, screenshot, pdf };
    } finally {
      // Chromium may drop the connection before it answers: the exit below is what counts.
      void cdp.send('Browser.close').catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      cdp.close();
    }
  } finally {
    const timer = setTimeout(() => browser.kill('SIGKILL'), 10_000);
    if (browser.exitCode === null && browser.signalCode === null) await exited;
    clearTimeout(timer);
    rmSync(profile, { recursive: true, force: true });
  }
}

interface Cdp {
  send(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<Record<string, any>>;
  on(listener: (message: Message) => void): void;
  next(match: (message: Message) => boolean): Promise<Message>;
  close(): void;
}

async function connect(url: string): Promise<Cdp> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: Record<string, any>) => void; reject: (error: Error) => void }>();
  const listeners: ((message: Message) => void)[] = [];
  socket.addEventListener('close', () => {
    for (const waiting of pending.values()) waiting.reject(new Error('chromium closed the DevTools connection'));
    pending.clear();
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Message;
    if (message.id !== undefined) {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error.message));
      else waiting?.resolve(message.result ?? {});
      return;
    }
    for (const listener of [...listeners]) listener(message);
  });
  return {
    send(method, params = {}, sessionId) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        // A step that hangs fails naming itself, rather than the whole test timing out.
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`chromium did not answer ${method} within ${STEP_MS / 1000}s`));
        }, STEP_MS);
        pending.set(id, {
          resolve: (value) => (clearTimeout(timer), resolve(value)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        socket.send(JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) }));
      });
    },
    on(listener) {
      listeners.push(listener);
    },
    next(match) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.splice(listeners.indexOf(listener), 1);
          reject(new Error(`chromium sent no awaited event within ${STEP_MS / 1000}s`));
        }, STEP_MS);
        const listener = (message: Message) => {
          if (!match(message)) return;
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(message);
        };
        listeners.push(listener);
      });
    },
    close() {
      socket.close();
    },
  };
}

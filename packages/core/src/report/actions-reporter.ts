import * as core from '@actions/core';
import type { OutputValue, Reporter } from './reporter.js';
import { onSecretRegistered, redact, registerSecret } from './secrets.js';

/** Reporter for GitHub Actions: log commands, masked secrets, outputs and the job summary. */
export class ActionsReporter implements Reporter {
  constructor() {
    // Anything registered anywhere in the process is masked by the runner too.
    onSecretRegistered((value) => core.setSecret(value));
  }
  debug(message: string): void {
    core.debug(redact(message));
  }
  info(message: string): void {
    core.info(redact(message));
  }
  warning(message: string): void {
    core.warning(redact(message));
  }
  error(message: string): void {
    core.error(redact(message));
  }
  secret(value: string | undefined): void {
    registerSecret(value);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(redact(title), fn);
  }
  output(name: string, value: OutputValue): void {
    core.setOutput(name, typeof value === 'string' ? redact(value) : value);
  }
  async summary(markdown: string): Promise<void> {
    // Outside a runner there is no summary file; the log already has the content.
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(redact(markdown), true).write();
  }
  async attach(name: string, files: readonly string[], rootDir: string, options: { retentionDays?: number } = {}): Promise<void> {
    // Loaded here: @actions/artifact takes seconds and tens of MiB to import, and only drills attach files.
    const { DefaultArtifactClient } = await import('@actions/artifact');
    await new DefaultArtifactClient().uploadArtifact(name, [...files], rootDir, { retentionDays: options.retentionDays });
  }
}

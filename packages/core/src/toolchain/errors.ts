import { TargetTooOldError } from '../engines/postgres/restore/errors.js';
import { LifeboatError } from '../report/errors.js';
import type { ClientDecision } from './select.js';

/** The PostgreSQL client here (or the one asked for) is older than the server or archive needs. */
export class ClientTooOldError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('postgres-client-too-old', message, fix);
  }
}

/** No PostgreSQL client that fits is installed, and this run may not install one. */
export class ClientMissingError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('postgres-client-missing', message, fix);
  }
}

/** A restore target's major is older than the server the backup was taken from: the one class for it, under its older name. */
export { TargetTooOldError as RestoreTargetTooOldError };

/** Installing the PostgreSQL client on the runner failed; the tool's own message is kept. */
export class ClientInstallError extends LifeboatError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('postgres-client-install-failed', message, fix, options);
  }
}

/** The error that a refusal stands for. */
export function refusalError(decision: Extract<ClientDecision, { kind: 'refuse' }>): LifeboatError {
  switch (decision.code) {
    case 'client-too-old':
      return new ClientTooOldError(decision.reason, decision.fix);
    case 'client-missing':
      return new ClientMissingError(decision.reason, decision.fix);
    case 'target-too-old': {
      const majors = decision.majors ?? { source: 0, target: 0 };
      return new TargetTooOldError({ major: majors.source }, { major: majors.target, version: String(majors.target) }, { message: decision.reason, fix: decision.fix });
    }
  }
}

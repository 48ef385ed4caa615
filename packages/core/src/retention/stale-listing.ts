import { LifeboatError } from '../report/errors.js';

/** A listing that lacks the backup just written cannot be trusted to decide deletions. */
export class StaleListingError extends LifeboatError {
  constructor(message: string) {
    super('stale-listing', message, 'Nothing was deleted. Run prune again later; if it persists, check the store for listing delays.');
  }
}

import { opt } from './define.js';

/** Which PostgreSQL client runs pg_dump/pg_restore; spread into the backup and drill schemas. */
export const toolchainOptions = {
  'postgres-client-version': opt.integer({
    min: 10,
    max: 99,
    description:
      'Major version of the PostgreSQL client (pg_dump/pg_restore) to use, e.g. `16`. Empty: the server\'s major, installed on GitHub-hosted Ubuntu runners when missing. A client older than the server (backup) or than the pg_dump that wrote the backup (restore) is refused.',
  }),
};

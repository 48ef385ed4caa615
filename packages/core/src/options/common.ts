import { opt } from './define.js';

/** Where backups live; shared by every operation that touches storage. */
export const storeOptions = {
  store: opt.string({
    required: true,
    description:
      'Where backups live: a folder path or `file:///abs/path`, `s3://bucket/prefix`, or `artifact://prefix` (GitHub artifacts, inside Actions only).',
  }),
  'name': opt.backupName({
    description:
      'Logical backup name: the folder under the store. Empty: the database\'s name (each database under its own name when several are backed up); `redis` for a Redis server.',
  }),
  's3-endpoint': opt.string({
    description: 'S3-compatible endpoint URL (MinIO, R2, B2, ...). Empty for AWS S3.',
  }),
  's3-region': opt.string({
    description: 'S3 region. Empty: the AWS SDK default chain (AWS_REGION), else `us-east-1`.',
  }),
  's3-force-path-style': opt.boolean({
    default: 'false',
    description: 'Address the bucket in the path (`endpoint/bucket/key`), as MinIO and some S3-compatible stores need.',
  }),
  'artifact-token': opt.string({
    secret: true,
    description:
      'For `artifact://`: a GitHub token with `actions: read` (the job\'s `github.token` with that permission; `actions: write` for retention to delete), so the store also holds the artifacts of earlier workflow runs of the repository. Empty: only the current run\'s artifacts are seen, so a scheduled drill or the gate cannot see the nightly backups.',
  }),
};

/** How a backup is encrypted. Fail closed: nothing configured stops the run. */
export const encryptionOptions = {
  encryption: opt.enum(['auto', 'openpgp', 'age', 'none'] as const, {
    default: 'auto',
    description:
      'Encryption scheme: `age` (age v1 files, `.age`), `openpgp` (OpenPGP messages GnuPG reads, `.pgp`), or `auto`: age when every recipient is an age recipient, OpenPGP otherwise. `none` must be set explicitly and every report then says the backup is unencrypted.',
  }),
  recipients: opt.text({
    description:
      'Keys to encrypt to, one per line: age recipients (`age1…`) or OpenPGP public keys (armored blocks inline), or paths to files holding them. Several keys for rotation or for more than one operator; one scheme per backup.',
  }),
  passphrase: opt.text({
    secret: true,
    description: 'Passphrase to encrypt with: with OpenPGP alone or beside recipients; with age alone (age\'s scrypt, work factor 2^18).',
  }),
};

/** How a backup is decrypted for a drill or restore. */
export const decryptionOptions = {
  identity: opt.text({
    secret: true,
    orPath: true,
    description: 'What decrypts the backup: age identities (`AGE-SECRET-KEY-1…` lines, or an `age-keygen` key file) and/or armored OpenPGP private keys, inline or as paths, one per line. Old and new keys side by side after a rotation.',
  }),
  'identity-passphrase': opt.text({
    secret: true,
    description: 'Passphrase of the OpenPGP private key in `identity`.',
  }),
  passphrase: opt.text({
    secret: true,
    description: 'Symmetric passphrase the backup was encrypted with.',
  }),
  'allow-unencrypted': opt.boolean({
    default: 'false',
    description:
      'Accept a backup whose manifest says `encryption: none` although `identity` or `passphrase` is given. Off: it is refused, since a plaintext backup where encrypted ones are expected may be a forgery.',
  }),
};

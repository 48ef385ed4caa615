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
};

/** How a backup is encrypted. Fail closed: nothing configured stops the run. */
export const encryptionOptions = {
  encryption: opt.enum(['openpgp', 'none'] as const, {
    default: 'openpgp',
    description:
      'Encryption scheme. `none` must be set explicitly and every report then says the backup is unencrypted.',
  }),
  recipients: opt.text({
    description:
      'OpenPGP public keys to encrypt to: armored blocks inline, or paths to key files, one per line. Several keys for rotation or for more than one operator.',
  }),
  passphrase: opt.text({
    secret: true,
    description: 'Symmetric passphrase to encrypt with (alone or beside recipients).',
  }),
};

/** How a backup is decrypted for a drill or restore. */
export const decryptionOptions = {
  identity: opt.text({
    secret: true,
    orPath: true,
    description: 'Armored OpenPGP private key (inline or a path) that can decrypt the backup.',
  }),
  'identity-passphrase': opt.text({
    secret: true,
    description: 'Passphrase of the private key in `identity`.',
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

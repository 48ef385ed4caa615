import { opt } from './define.js';

/** Signing the manifest a backup writes, so drills can prove who wrote it. */
export const signingOptions = {
  'signing-key': opt.text({
    secret: true,
    orPath: true,
    description:
      'Armored OpenPGP private key (inline or a path) that signs each manifest with a detached signature, proving the backup\'s origin to drills and restores (`lifeboat keygen` makes one). Keep it on the backup side only. Empty: the backup is not signed (a warning says so), and drills and restores refuse it unless they set `allow-unsigned`.',
  }),
  'signing-key-passphrase': opt.text({
    secret: true,
    description: 'Passphrase of the private key in `signing-key`.',
  }),
};

/** Checking a manifest's signature before a drill or restore trusts it. */
export const signatureVerificationOptions = {
  'signing-public-key': opt.text({
    description:
      'OpenPGP public keys (armored blocks inline, or paths to key files, one per line) of the keys that sign backups (`signing-key`). A backup whose manifest is not signed by one of them is refused before its payload is downloaded. Required unless `allow-unsigned` is set.',
  }),
  'allow-unsigned': opt.boolean({
    default: 'false',
    description:
      'Accept a backup whose manifest has no signature (one taken before signing was set up). Anyone who can write to the store can then make a backup that is accepted: every log, summary and evidence record says the backup\'s origin is unverified. A signature that is present is still checked when `signing-public-key` is given.',
  }),
};

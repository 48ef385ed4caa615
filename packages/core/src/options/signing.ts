import { opt } from './define.js';

/** Signing the manifest a backup writes, so drills can prove who wrote it. */
export const signingOptions = {
  'signing-key': opt.text({
    secret: true,
    orPath: true,
    description:
      'Armored OpenPGP private key (inline or a path) that signs each manifest with a detached signature. Empty: manifests are not signed.',
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
      'OpenPGP public keys (armored blocks inline, or paths to key files, one per line) one of which must have signed the manifest. Empty: signatures are not checked.',
  }),
};

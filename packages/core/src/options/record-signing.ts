import { opt } from './define.js';

/** Signing the drill record a drill writes, so the gate can prove the drill job wrote it. */
export const recordSigningOptions = {
  'signing-key': opt.text({
    secret: true,
    orPath: true,
    description:
      'Armored OpenPGP private key (inline or a path) that signs the drill record with a detached signature (`drills/<drill-id>.json.sig`), so a gate with `signing-public-key` can prove the drill job wrote it. Use a key of its own for drills (`lifeboat keygen` makes one), not the backup signing key. Empty: the record is not signed (a warning says so), and gates that check signatures ignore it.',
  }),
  'signing-key-passphrase': opt.text({
    secret: true,
    description: 'Passphrase of the private key in `signing-key`.',
  }),
};

/** Checking drill records' signatures before the gate or `list` trusts them. */
export const recordVerificationOptions = {
  'signing-public-key': opt.text({
    description:
      'OpenPGP public keys (armored blocks inline, or paths to key files, one per line) of the keys that sign drill records (the drill\'s `signing-key`). Given: a drill record without a signature is ignored, and one whose signature does not verify (altered after the drill) counts as unreadable; both are reported. Empty: drill records are taken as they are, and anyone who can write to the store can write one.',
  }),
};

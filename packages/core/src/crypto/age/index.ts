export { type AgeRecipient, type AgeIdentity, parseAgeRecipient, parseAgeIdentity, generateAgeIdentity, AGE_RECIPIENT_LINE, AGE_IDENTITY_LINE } from './keys.js';
export { type AgeEncryptionKeys, ageEncryptStream, ageEncryptBytes } from './encrypt.js';
export { type AgeDecryptionKeys, AgeDecryptor } from './decrypt.js';
export { DEFAULT_SCRYPT_WORK_FACTOR, MAX_SCRYPT_WORK_FACTOR } from './stanzas.js';
export { splitAgeRecipients, splitAgeIdentities } from './key-lines.js';

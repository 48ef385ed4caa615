export * from './errors.js';
export { type KeyInfo, type RecipientKey, loadRecipients, describeKey, algorithmName } from './keys.js';
export { type EncryptionPlan, prepareEncryption, describeEncryption, EXPIRY_WARNING_DAYS } from './plan.js';
export { encryptStream, encryptBytes } from './encrypt.js';
export { type DecryptionKeys, type DecryptionIdentity, loadDecryptionKeys, decryptToFile, decryptBytes } from './decrypt.js';
export { generateKeyPair } from './keygen.js';
export { signDetached, verifyDetached } from './sign.js';

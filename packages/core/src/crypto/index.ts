export * from './errors.js';
export { type KeyInfo, type RecipientKey, loadRecipients, describeKey, algorithmName } from './keys.js';
export { type EncryptionPlan, type EncryptionSetting, prepareEncryption, describeEncryption, chooseScheme, EXPIRY_WARNING_DAYS } from './plan.js';
export { encryptStream, encryptBytes } from './encrypt.js';
export {
  type DecryptionKeys,
  type DecryptionIdentity,
  type DecryptEngine,
  type DecryptOptions,
  type DecryptScheme,
  loadDecryptionKeys,
  decryptToFile,
  decryptFileToFile,
  decryptBytes,
} from './decrypt.js';
export { findGpg, type GpgBinary } from './gpg-binary.js';
export { generateKeyPair } from './keygen.js';
export { signDetached, verifyDetached } from './sign.js';

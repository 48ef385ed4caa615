import { base64nopad } from '@scure/base';

/** Unpadded standard base64, as every age header field is written. */
export function encodeBase64(bytes: Uint8Array): string {
  return base64nopad.encode(bytes);
}

/**
 * Decodes unpadded base64, refusing padding and non-canonical encodings (the age format
 * requires both, so a header cannot be changed without changing its bytes). Undefined when
 * the text is not such an encoding.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) return undefined;
  try {
    const bytes = base64nopad.decode(text);
    return base64nopad.encode(bytes) === text ? Buffer.from(bytes) : undefined;
  } catch {
    return undefined;
  }
}

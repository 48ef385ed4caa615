import { encryptedSuffix } from '../../catalog/layout.js';
import { FILES_PAYLOAD_FILE } from './manifest.js';

/**
 * The by-hand restore of a files backup, as Markdown with one shell block that runs as
 * written once its settings are filled in: import the keys, fetch, verify the manifest's
 * signature and the payload's SHA-256, decrypt with gpg (or age), unpack with tar keeping
 * modes, and check every file with sha256sum. Nothing of Lifeboat is needed.
 */
export function breakGlass(_section: unknown, scheme: 'openpgp' | 'age' = 'openpgp'): string {
  const stored = `${FILES_PAYLOAD_FILE}${encryptedSuffix(scheme)}`;
  const decrypt = scheme === 'age' ? `age -d -i "$IDENTITY" -o ${FILES_PAYLOAD_FILE} ${stored}` : `gpg --decrypt --output ${FILES_PAYLOAD_FILE} ${stored}`;
  const imports =
    scheme === 'age'
      ? '# The public half of the signing key (the age identity file is read by age -d).\ngpg --import "$SIGNING_PUBLIC_KEY"'
      : '# The keys: the public half of the signing key, and the private key that decrypts.\ngpg --import "$SIGNING_PUBLIC_KEY" "$IDENTITY"';
  const copy = (object: string) => `aws s3 cp \${ENDPOINT:+--endpoint-url "$ENDPOINT"} "$STORE/$NAME/$ID/${object}" ${object}`;
  return `### Restore a files backup by hand

Needs only ${scheme === 'age' ? '`age`, `gpg` (to check the signature)' : '`gpg`'}, \`tar\` and \`sha256sum\` (and \`aws\` for an S3 store; for a folder store use \`cp\` instead of \`aws s3 cp \${ENDPOINT:+--endpoint-url "$ENDPOINT"}\`). The files land in \`$TARGET\` with their modes; the archive's \`SHA256SUMS\` is checked and then removed.

\`\`\`sh
STORE=s3://my-backups/lifeboat               # your \`store\`
NAME=app-config                              # the backup name (folder under the store)
ID=20261124T021700Z-k3m9qa                   # a backup folder that has a manifest.json: aws s3 ls "$STORE/$NAME/"
ENDPOINT=                                    # your \`s3-endpoint\` (MinIO, R2, B2, ...); empty for AWS S3
SIGNING_PUBLIC_KEY=lifeboat-signing.pub.asc  # the signing public key file (\`signing-public-key\`)
${`IDENTITY=${scheme === 'age' ? 'key.txt' : 'lifeboat.key.asc'}`.padEnd(45)}# the ${scheme === 'age' ? 'age identity file' : 'encryption private key file'} (\`identity\`)
TARGET=./files-restored                      # an empty folder for the files

${imports}
${copy('manifest.json')}
${copy('manifest.json.sig')}
${copy(stored)}
# The manifest must be signed by your signing key.
gpg --verify manifest.json.sig manifest.json
# The payload is the first object in the manifest: its sha256 must match the stored bytes.
echo "$(grep -m1 '"sha256"' manifest.json | cut -d'"' -f4)  ${stored}" | sha256sum -c -
${decrypt}
mkdir -p "$TARGET"
tar -x -p -f ${FILES_PAYLOAD_FILE} -C "$TARGET"
# Every file must match the archive's own checksum list.
(cd "$TARGET" && sha256sum --quiet -c SHA256SUMS && rm SHA256SUMS)
rm ${FILES_PAYLOAD_FILE}
\`\`\`

\`tar -p\` keeps the modes (run as root it also restores the owners); symbolic links come back as links.
`;
}

import { encryptedSuffix } from '../../catalog/layout.js';
import { describeCommand } from './command-line.js';
import { commandManifestSchema } from './manifest.js';
import { PRESETS, type PresetName } from './presets.js';

/**
 * The by-hand restore of a command backup, as Markdown with one shell block: import the keys,
 * fetch, verify the manifest's signature, check the payload's SHA-256, then decrypt straight
 * into the restore command (the preset's, or the operator's own). Nothing of Lifeboat is needed.
 */
export function breakGlass(section: unknown, scheme: 'openpgp' | 'age' = 'openpgp'): string {
  const parsed = commandManifestSchema.parse(section);
  const stored = `${parsed.payloadFile}${encryptedSuffix(scheme)}`;
  const preset = parsed.preset && parsed.preset in PRESETS ? PRESETS[parsed.preset as PresetName] : undefined;
  const restore = preset ? describeCommand(preset.restore({ oplog: parsed.oplog === true })) : undefined;
  const decrypt = scheme === 'age' ? `age -d -i "$IDENTITY" -o "${parsed.payloadFile}" ${stored}` : `gpg --decrypt --output "${parsed.payloadFile}" ${stored}`;
  const imports = scheme === 'age' ? 'gpg --import "$SIGNING_PUBLIC_KEY"' : 'gpg --import "$SIGNING_PUBLIC_KEY" "$IDENTITY"';
  const run = restore
    ? `# The ${preset!.name} preset's restore command, reading TARGET_* ({payload} is the decrypted file).\n${restore.includes('{payload}') ? restore.split('{payload}').join(parsed.payloadFile) : `${restore} < "${parsed.payloadFile}"`}`
    : `# Restore with the tool that wrote it (the backup ran: ${parsed.command}), e.g.:\n# my-restore-tool < "${parsed.payloadFile}"`;
  return `### Restore a command backup by hand

Needs only ${scheme === 'age' ? '`age`, `gpg` (for the signature)' : '`gpg`'}, \`sha256sum\` and the restore tool (and \`aws\` for an S3 store; \`cp\` for a folder store).

\`\`\`sh
STORE=s3://my-backups/lifeboat               # your \`store\`
NAME=app                                     # the backup name
ID=20261124T021700Z-k3m9qa                   # a backup folder with a manifest.json
SIGNING_PUBLIC_KEY=lifeboat-signing.pub.asc  # the signing public key file
IDENTITY=${scheme === 'age' ? 'key.txt         ' : 'lifeboat.key.asc'}                     # the key that decrypts
export TARGET_URL=                           # the empty target, and its parts the command reads (TARGET_HOST, ...)

${imports}
for f in manifest.json manifest.json.sig ${stored}; do aws s3 cp "$STORE/$NAME/$ID/$f" "$f"; done
gpg --verify manifest.json.sig manifest.json
echo "$(grep -m1 '"sha256"' manifest.json | cut -d'"' -f4)  ${stored}" | sha256sum -c -
${decrypt}
${run}
\`\`\`
`;
}

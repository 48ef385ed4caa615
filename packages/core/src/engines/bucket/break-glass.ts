import type { BucketManifestSection } from './manifest.js';

/** The by-hand restore of a bucket backup with only aws, gpg, jq and sha256sum, as Markdown. */
export function breakGlass(section: BucketManifestSection): string {
  return `Restore ${section.location} by hand (the store is \`STORE\`; for a folder store use \`cp\` instead of \`aws s3 cp\`):

\`\`\`sh
STORE=s3://backups/lifeboat
NAME=proofs
ID=20260101T000000Z-abc123
OUT=restored
aws s3 cp "$STORE/$NAME/$ID/manifest.json" manifest.json
aws s3 cp "$STORE/$NAME/$ID/index.ndjson.pgp" index.ndjson.pgp
# The index is the payload: its stored bytes must have the manifest's SHA-256.
echo "$(jq -r '.objects[] | select(.role == "payload") | .sha256' manifest.json)  index.ndjson.pgp" | sha256sum -c
gpg --batch --yes --decrypt --output index.ndjson index.ndjson.pgp
# The last line counts the objects: an index without it was cut short.
tail -n 1 index.ndjson | jq -e '.end == true'
jq -c 'select(.end != true)' index.ndjson | while IFS= read -r entry; do
  key=$(jq -r .key <<<"$entry")
  case "$key" in /* | ../* | */../* | *"/.." | "..") echo "refusing key $key: it leaves $OUT" >&2; exit 1 ;; '' | */) continue ;; esac
  aws s3 cp --quiet "$STORE/$NAME/$(jq -r .blob <<<"$entry")" object.pgp
  echo "$(jq -r .blobSha256 <<<"$entry")  object.pgp" | sha256sum -c --quiet
  mkdir -p "$OUT/$(dirname -- "$key")"
  gpg --batch --yes --quiet --decrypt --output "$OUT/$key" object.pgp
  echo "$(jq -r .sha256 <<<"$entry")  $OUT/$key" | sha256sum -c --quiet
done
rm -f object.pgp
echo "restored $(jq -s 'map(select(.end != true)) | length' index.ndjson) objects into $OUT"
# Then, into an empty prefix: aws s3 cp --recursive "$OUT" s3://bucket/prefix/
# (zero-byte folder markers, keys ending in "/", are skipped here; \`lifeboat restore\` keeps them).
\`\`\`
`;
}

/**
 * Joins the first `bytes` bytes of a queue of chunks (or all there are) into its first chunk,
 * taking them from the chunks after it (a chunk taken in part keeps its rest); returns that
 * first chunk. Only the bytes asked for are copied.
 */
export function joinFront(chunks: Buffer[], bytes: number): Buffer {
  const parts = [chunks[0]!];
  let have = parts[0]!.length;
  let used = 1;
  while (have < bytes && used < chunks.length) {
    const chunk = chunks[used]!;
    const take = Math.min(chunk.length, bytes - have);
    parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    have += take;
    if (take === chunk.length) used++;
    else chunks[used] = chunk.subarray(take);
  }
  const joined = Buffer.concat(parts, have);
  chunks.splice(0, used, joined);
  return joined;
}

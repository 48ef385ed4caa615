// The part of tar-stream 3 Lifeboat uses (the package ships no types).
declare module 'tar-stream' {
  import type { Readable, Writable } from 'node:stream';

  export interface Headers {
    name: string;
    size?: number;
    mode?: number;
    mtime?: Date;
    type?: 'file' | 'link' | 'symlink' | 'directory' | 'block-device' | 'character-device' | 'fifo' | 'contiguous-file' | 'pax-header' | 'pax-global-header' | 'gnu-long-link-path' | 'gnu-long-path' | null;
    linkname?: string | null;
    uid?: number;
    gid?: number;
    uname?: string;
    gname?: string;
    pax?: Record<string, string> | null;
  }

  export interface Pack extends Readable {
    entry(header: Headers, buffer?: Buffer | string, callback?: (error?: Error | null) => void): Writable;
    entry(header: Headers, callback?: (error?: Error | null) => void): Writable;
    finalize(): void;
  }

  export interface Entry extends Readable {
    readonly header: Headers;
  }

  export interface Extract extends Writable, AsyncIterable<Entry> {}

  export function pack(options?: object): Pack;
  export function extract(options?: object): Extract;
}

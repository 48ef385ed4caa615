import { subscribe } from 'node:diagnostics_channel';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Store, StoredObject } from '@lifeboat/core';

/** Every object under `prefix`, sorted by key. */
export async function listAll(store: Store, prefix = ''): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const object of store.list(prefix)) out.push(object);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/**
 * The S3 operations a client sends: its SDK commands by name, and `UploadPart` for each part
 * PUT under `/<bucket>/<prefix>/`, seen on node:http's own diagnostics channel (parts are
 * plain signed PUTs, not SDK commands).
 */
export function recordOperations(client: S3Client, bucket: string, prefix: string): string[] {
  const operations: string[] = [];
  client.middlewareStack.add(
    (next, handlerContext) => (args) => {
      operations.push(handlerContext.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    if (request.method === 'PUT' && request.path.startsWith(`/${bucket}/${prefix}/`) && /[?&]partNumber=\d+/.test(request.path)) operations.push('UploadPart');
  });
  return operations;
}

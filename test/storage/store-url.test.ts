import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError, OptionError, parseStoreUrl, STORE_FORMS } from '@lifeboat/core';

function failure(store: string): OptionError {
  try {
    parseStoreUrl(store, '/srv');
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError);
    return error as OptionError;
  }
  throw new Error(`'${store}' was accepted`);
}

describe('parseStoreUrl', () => {
  it.each([
    ['/var/backups', { kind: 'local', folder: '/var/backups' }],
    ['backups/db', { kind: 'local', folder: resolve('/srv', 'backups/db') }],
    ['./here', { kind: 'local', folder: '/srv/here' }],
    ['file:///var/backups/db', { kind: 'local', folder: '/var/backups/db' }],
    ['file:///var/with%20space', { kind: 'local', folder: '/var/with space' }],
    ['s3://bucket', { kind: 's3', bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { kind: 's3', bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/backups/prod/', { kind: 's3', bucket: 'my.bucket-1', prefix: 'backups/prod' }],
    ['  S3://bucket/x  ', { kind: 's3', bucket: 'bucket', prefix: 'x' }],
    ['artifact://lifeboat', { kind: 'github-artifact', prefix: 'lifeboat' }],
    ['artifact://', { kind: 'github-artifact', prefix: '' }],
    ['artifact://team/db/', { kind: 'github-artifact', prefix: 'team/db' }],
  ])('%s', (store, expected) => {
    expect(parseStoreUrl(store, '/srv')).toEqual(expected);
  });

  it('refuses an empty store', () => {
    expect(failure('  ').message).toContain('`store` is empty');
  });

  it.each([
    ['https://example.com/backups', "the scheme 'https://' is not supported"],
    ['gs://bucket/x', "the scheme 'gs://' is not supported"],
    ['file://relative/path', 'a file URL needs an absolute path'],
    ['s3://', "'' is not a bucket name"],
    ['s3://b/x', "'b' is not a bucket name"],
    ['s3://bucket/a//b', 'empty'],
    ['s3://bucket/a/../b', "'..'"],
    ['artifact://a/./b', "'.'"],
  ])('refuses %s, naming the problem and every accepted form', (store, problem) => {
    const error = failure(store);
    expect(error.message).toContain(problem);
    expect(error.fix).toBe(`Use ${STORE_FORMS}.`);
    expect(describeError(error)).toContain('s3://bucket/prefix');
  });

  it('refuses credentials in an s3 URL without echoing them', () => {
    const error = failure('s3://AKIAEXAMPLE:hunter2secret@bucket/x');
    const text = describeError(error);
    expect(text).toContain('Credentials or ports in the `store` URL are not accepted');
    expect(text).toContain('AWS_ACCESS_KEY_ID');
    expect(text).not.toContain('hunter2secret');
    expect(text).not.toContain('AKIAEXAMPLE');
  });

  it('hides a password in a refused URL of another scheme', () => {
    const text = describeError(failure('https://user:hunter2secret@example.com/x'));
    expect(text).not.toContain('hunter2secret');
    expect(text).toContain('user:***@');
  });
});

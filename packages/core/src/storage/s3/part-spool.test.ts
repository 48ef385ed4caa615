import { describe, expect, it } from 'vitest';
import { describeError } from '../../report/errors.js';
import { UploadSpoolError } from './part-spool.js';

const MiB = 1024 * 1024;

describe('UploadSpoolError', () => {
  it.each<[string, string, RegExp]>([
    ['ENOSPC', 'a full disk', /^Could not spool a part of the upload: no space left in \/runner\/temp\. The upload keeps up to 4 parts of 103\.0 MiB there \(412\.0 MiB\) until the store acknowledges them\. Free that much space, or point RUNNER_TEMP \(or TMPDIR\) at a larger disk; a smaller `s3-part-size` needs less\.$/],
    ['EDQUOT', 'a quota', /no space left in \/runner\/temp\. .*Free that much space/],
    ['EACCES', 'a folder it may not write', /^Could not use the upload's spool folder \(EACCES\) in \/runner\/temp\. .*Point RUNNER_TEMP \(or TMPDIR\) at a writable folder/],
  ])('%s (%s) names the folder, the space and the fix', (code, _label, expected) => {
    const error = new UploadSpoolError('/runner/temp', 103 * MiB, 4, Object.assign(new Error('x'), { code }));
    expect(error.code).toBe('upload-spool-failed');
    expect(describeError(error)).toMatch(expected);
  });
});

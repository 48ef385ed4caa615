export const id = 642;
export const ids = [642];
export const modules = {

/***/ 76642:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3Store: () => (/* binding */ S3Store)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(53711);
/* harmony import */ var _report_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(77045);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76004);
/* harmony import */ var _probe_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(31205);
/* harmony import */ var _keys_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(44959);
/* harmony import */ var _signals_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(74978);
/* harmony import */ var _body_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(18023);
/* harmony import */ var _part_size_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(66291);
/* harmony import */ var _multipart_upload_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(30837);
/* harmony import */ var _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(7892);












/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;
function nameOf(error) {
    return error?.name;
}
/**
 * A store in an S3 (or S3-compatible) bucket under a prefix. Uploads go through
 * MultipartUpload (a fixed pool of part buffers) with a planned part size; a failed upload is aborted so no parts are
 * left behind, and a finished one is checked with HEAD against the bytes sent.
 */
class S3Store {
    client;
    target;
    settings;
    context;
    kind = 's3';
    location;
    constructor(client, target, settings, context) {
        this.client = client;
        this.target = target;
        this.settings = settings;
        this.context = context;
        this.location = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
    }
    fullKey(key) {
        return (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .joinKey */ .ID)(this.target.prefix, (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .checkKey */ .yR)(key));
    }
    call(action, permission, fullKey, storeKey) {
        return {
            action,
            permission,
            bucket: this.target.bucket,
            key: fullKey,
            endpoint: this.target.endpointLabel,
            region: this.target.region,
            location: this.location,
            storeKey,
        };
    }
    /**
     * Checks bucket, prefix and credentials before any data moves: a one-key listing (missing
     * bucket, no access, wrong region, unreachable endpoint all fail here), then with `write` a
     * probe object put, read back and deleted. Credentials that may write but not list or read
     * (a write-only backup role) pass with notes saying what they cannot do.
     */
    async probe(options = {}) {
        const notes = [];
        const root = this.target.prefix ? `${this.target.prefix}/` : '';
        let listDenied = false;
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .ListObjectsV2Command */ .u6x({ Bucket: this.target.bucket, Prefix: root, MaxKeys: 1 }));
        }
        catch (error) {
            const mapped = (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('ListObjectsV2', 's3:ListBucket', root));
            if (!(mapped instanceof _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .S3AccessDeniedError */ .AZ))
                throw mapped;
            // Write-only credentials are a valid choice for a backup job; whether they may write is found next.
            listDenied = true;
            notes.push(`The credentials may not list ${this.location} (s3:ListBucket): retention, drills and the gate need it.`);
        }
        if (!options.write && !listDenied)
            return { notes };
        const key = (0,_probe_js__WEBPACK_IMPORTED_MODULE_4__/* .probeKey */ .Ss)();
        const fullKey = this.fullKey(key);
        const body = (0,_probe_js__WEBPACK_IMPORTED_MODULE_4__/* .probeBody */ .Re)(key);
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .PutObjectCommand */ .wKZ({
                Bucket: this.target.bucket,
                Key: fullKey,
                Body: body,
                ContentType: 'text/plain',
                ServerSideEncryption: this.settings.sse,
                SSEKMSKeyId: this.settings.kmsKeyId,
                StorageClass: this.settings.storageClass,
                ...(this.settings.objectLock ? { ChecksumAlgorithm: 'CRC32' } : {}),
            }));
        }
        catch (error) {
            throw (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('PutObject', 's3:PutObject', fullKey, key));
        }
        let failure;
        try {
            const back = Buffer.concat((await (await this.get(key)).toArray()));
            if (!back.equals(body)) {
                failure = new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .StoreProbeError */ .ev(`The probe object read back from ${this.location} differs from what was written (${back.length} bytes instead of ${body.length}).`, 'Something between Lifeboat and the store alters objects: check `s3-endpoint` and any proxy in front of it.');
            }
        }
        catch (error) {
            if (error instanceof _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .S3AccessDeniedError */ .AZ) {
                notes.push(`The credentials may not read ${this.location} (s3:GetObject): drills and restores need other credentials.`);
            }
            else {
                failure = error;
            }
        }
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .DeleteObjectCommand */ .k4j({ Bucket: this.target.bucket, Key: fullKey }));
        }
        catch (error) {
            const mapped = (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('DeleteObject', 's3:DeleteObject', fullKey));
            notes.push(`The probe object s3://${this.target.bucket}/${fullKey} could not be removed (${mapped.message}); remove it by hand.`);
        }
        if (failure)
            throw failure;
        return { notes };
    }
    /** Streams `body` to `key` (multipart when large), aborts leftovers on failure, confirms the size. */
    put(key, body, options = {}) {
        return (0,_body_js__WEBPACK_IMPORTED_MODULE_10__/* .consumeOrDestroy */ .o)(body, () => this.upload(key, body, options));
    }
    async upload(key, body, options) {
        const fullKey = this.fullKey(key);
        const plan = (0,_part_size_js__WEBPACK_IMPORTED_MODULE_6__/* .planUpload */ .d7)(options.expectedSize, this.settings.partSize, this.settings.maxParts);
        if (options.expectedSize !== undefined && options.expectedSize > plan.maxObjectSize) {
            throw new _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .S3ObjectTooLargeError */ .n5(key, plan.partSize, plan.maxObjectSize, options.expectedSize, plan.maxParts);
        }
        const signal = (0,_signals_js__WEBPACK_IMPORTED_MODULE_11__/* .anySignal */ .J)(options.signal, this.context.signal);
        let sent = 0;
        const counter = new node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform({
            transform(chunk, _encoding, done) {
                sent += chunk.length;
                // Stop before the store refuses one part too many with a message nobody could act on.
                if (sent > plan.maxObjectSize)
                    done(new _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .S3ObjectTooLargeError */ .n5(key, plan.partSize, plan.maxObjectSize, undefined, plan.maxParts));
                else
                    done(null, chunk);
            },
        });
        let inputError;
        body.once('error', (error) => (inputError ??= error));
        (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)(body, counter).catch(() => { }); // its failure reaches the upload through `counter`
        const cancel = () => body.destroy(new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UploadCancelledError */ .xT(key, this.location, { cause: signal?.reason }));
        if (signal?.aborted)
            cancel();
        signal?.addEventListener('abort', cancel, { once: true });
        const lock = this.settings.objectLock;
        const upload = new _multipart_upload_js__WEBPACK_IMPORTED_MODULE_7__/* .MultipartUpload */ .U(this.client, {
            Bucket: this.target.bucket,
            Key: fullKey,
            ContentType: options.contentType,
            ServerSideEncryption: this.settings.sse,
            SSEKMSKeyId: this.settings.kmsKeyId,
            StorageClass: this.settings.storageClass,
            ObjectLockMode: lock?.mode,
            ObjectLockRetainUntilDate: lock ? new Date(this.context.now().getTime() + lock.days * 86_400_000) : undefined,
            // Object Lock requires a checksum on every PutObject/UploadPart.
            ChecksumAlgorithm: lock ? 'CRC32' : undefined,
        }, plan, this.context.tempDir);
        try {
            await upload.done(counter);
        }
        catch (error) {
            const fromInput = inputError !== undefined && error === inputError;
            const failure = fromInput ? error : (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('PutObject', 's3:PutObject', fullKey, key));
            // Before `counter`, whose destruction would end the body with a bare premature close:
            // the producer learns the real failure, now rather than after the abort below.
            if (!body.destroyed)
                body.destroy(failure);
            counter.destroy();
            await this.abortLeftover(upload.uploadId, fullKey);
            throw failure;
        }
        finally {
            signal?.removeEventListener('abort', cancel);
        }
        const stored = await this.confirmSize(key, fullKey, sent);
        if (signal?.aborted) {
            await this.delete([key]);
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UploadCancelledError */ .xT(key, this.location, { cause: signal.reason });
        }
        return { key, size: stored };
    }
    /** Aborts the multipart upload a failed put leaves, so no parts stay billed. */
    async abortLeftover(uploadId, fullKey) {
        if (!uploadId)
            return;
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .AbortMultipartUploadCommand */ .tfP({ Bucket: this.target.bucket, Key: fullKey, UploadId: uploadId }));
        }
        catch (error) {
            if (nameOf(error) === 'NoSuchUpload')
                return; // already aborted
            const mapped = (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('AbortMultipartUpload', 's3:AbortMultipartUpload', fullKey));
            this.context.reporter.warning(`Could not abort the failed multipart upload ${uploadId} of s3://${this.target.bucket}/${fullKey}; its parts stay billed until removed. ${(0,_report_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .describeError */ .Uc)(mapped)} A lifecycle rule with AbortIncompleteMultipartUpload removes such leftovers.`);
        }
    }
    /** HEADs the new object and compares its size with the bytes sent; removes it on mismatch. */
    async confirmSize(key, fullKey, sent) {
        let stored;
        try {
            stored = await this.headFull(key, fullKey);
        }
        catch (error) {
            // Write-only credentials (s3:PutObject without s3:GetObject) cannot HEAD: trust S3's answer.
            if (error instanceof _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .S3AccessDeniedError */ .AZ) {
                this.context.reporter.warning(`Could not confirm the stored size of ${this.location}/${key} (HEAD refused: the credentials lack s3:GetObject); relying on S3's acceptance of the upload.`);
                return sent;
            }
            throw error;
        }
        if (stored?.size !== sent) {
            await this.delete([key]);
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .StoredSizeMismatchError */ .fo(key, this.location, sent, stored?.size);
        }
        return stored.size;
    }
    /** Streams the object; ObjectNotFoundError when the key does not exist. */
    async get(key) {
        const fullKey = this.fullKey(key);
        try {
            const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .GetObjectCommand */ .jLs({ Bucket: this.target.bucket, Key: fullKey }));
            return response.Body;
        }
        catch (error) {
            throw (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('GetObject', 's3:GetObject', fullKey, key));
        }
    }
    /** The object's size and time, or undefined when it does not exist. */
    async head(key) {
        return this.headFull(key, this.fullKey(key));
    }
    async headFull(key, fullKey) {
        try {
            const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .HeadObjectCommand */ .l81({ Bucket: this.target.bucket, Key: fullKey }));
            return { key, size: response.ContentLength ?? 0, lastModified: response.LastModified };
        }
        catch (error) {
            const name = nameOf(error);
            const status = error.$metadata?.httpStatusCode;
            if (name === 'NotFound' || name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket'))
                return undefined;
            throw (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('HeadObject', 's3:GetObject', fullKey));
        }
    }
    /** Every object under `prefix`: ListObjectsV2 page by page, no delimiters. */
    async *list(prefix) {
        (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .checkPrefix */ .by)(prefix);
        const root = this.target.prefix ? `${this.target.prefix}/` : '';
        const full = root + prefix;
        let token;
        do {
            let page;
            try {
                page = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .ListObjectsV2Command */ .u6x({ Bucket: this.target.bucket, Prefix: full, ContinuationToken: token }));
            }
            catch (error) {
                throw (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('ListObjectsV2', 's3:ListBucket', full));
            }
            for (const object of page.Contents ?? []) {
                const key = object.Key;
                // Zero-byte "folder" markers made by consoles are not objects of ours.
                if (!key || !key.startsWith(root) || key.endsWith('/'))
                    continue;
                yield { key: key.slice(root.length), size: object.Size ?? 0, lastModified: object.LastModified };
            }
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
            if (page.IsTruncated && !token) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .StorageError */ .aq('s3-listing-truncated', `Listing s3://${this.target.bucket}/${full} at ${this.target.endpointLabel} was cut short without a continuation token.`, 'The store does not page ListObjectsV2 correctly; use another S3-compatible store or report it to its vendor.');
            }
        } while (token);
    }
    /** DeleteObjects in batches of 1,000; per-key refusals are reported, Object Lock ones marked `locked`. */
    async delete(keys) {
        const result = { deleted: [], failed: [] };
        const valid = [];
        for (const key of keys) {
            try {
                valid.push({ key, fullKey: this.fullKey(key) });
            }
            catch (error) {
                result.failed.push({ key, reason: error.message });
            }
        }
        for (let start = 0; start < valid.length; start += DELETE_BATCH) {
            const batch = valid.slice(start, start + DELETE_BATCH);
            let errors;
            try {
                const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__/* .DeleteObjectsCommand */ .xvx({
                    Bucket: this.target.bucket,
                    Delete: { Objects: batch.map(({ fullKey }) => ({ Key: fullKey })), Quiet: true },
                }));
                errors = response.Errors ?? [];
            }
            catch (error) {
                const reason = (0,_report_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .describeError */ .Uc)((0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('DeleteObjects', 's3:DeleteObject', batch[0]?.fullKey)));
                for (const { key } of batch)
                    result.failed.push({ key, reason });
                continue;
            }
            const refused = new Map(errors.filter((e) => e.Key).map((e) => [e.Key, e]));
            for (const { key, fullKey } of batch) {
                const error = refused.get(fullKey);
                if (!error) {
                    result.deleted.push(key);
                    continue;
                }
                const locked = error.Code === 'AccessDenied' &&
                    (error.VersionId !== undefined || /object lock|retention|legal hold|worm/i.test(error.Message ?? ''));
                result.failed.push({
                    key,
                    reason: `${error.Code ?? 'Error'}: ${error.Message ?? 'refused'}${locked ? ' (protected by S3 Object Lock until its retention ends)' : ''}`,
                    ...(locked ? { locked: true } : {}),
                });
            }
        }
        return result;
    }
}


/***/ })

};

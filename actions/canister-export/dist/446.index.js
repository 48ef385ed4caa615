export const id = 446;
export const ids = [446];
export const modules = {

/***/ 51446:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openBucket: () => (/* binding */ openBucket)
/* harmony export */ });
/* unused harmony exports parseBucketUrl, SourceBucket */
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(53711);
/* harmony import */ var _report_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77045);
/* harmony import */ var _report_secrets_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(20157);
/* harmony import */ var _storage_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76004);
/* harmony import */ var _storage_s3_s3_client_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(57696);
/* harmony import */ var _storage_s3_s3_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7892);
/* harmony import */ var _storage_s3_multipart_upload_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(30837);
/* harmony import */ var _storage_s3_part_size_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(66291);








const BUCKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;
/** Parses `s3://bucket/prefix` for the option named `option`. */
function parseBucketUrl(value, option) {
    const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(value.trim());
    if (!match || !BUCKET_PATTERN.test(match[1])) {
        throw new _report_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .OptionError */ .eR(`\`${option}\` '${value}' is not an S3 bucket URL.`, `Set \`${option}\` to \`s3://bucket/prefix\` (the prefix may be empty); the endpoint goes in \`bucket-endpoint\`.`);
    }
    return { bucket: match[1], prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}
/** The source (or restore target) bucket, reached with the `bucket-*` settings; errors as the store's. */
class SourceBucket {
    client;
    target;
    tempDir;
    location;
    endpointLabel;
    region;
    constructor(client, target, connection, 
    /** Where large objects' parts are spooled while they are put back. */
    tempDir) {
        this.client = client;
        this.target = target;
        this.tempDir = tempDir;
        this.location = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
        this.endpointLabel = connection.endpoint ?? `AWS S3 (${connection.region})`;
        this.region = connection.region;
    }
    /** Where listing starts: the prefix as a folder (`proofs/`), or the whole bucket. */
    get root() {
        return this.target.prefix ? `${this.target.prefix}/` : '';
    }
    call(action, permission, key) {
        return { action, permission, bucket: this.target.bucket, key, endpoint: this.endpointLabel, region: this.region, location: this.location };
    }
    /** Every object under the prefix, page by page; a failed or cut-short page rejects. */
    async *list(maxKeys) {
        let token;
        do {
            let page;
            try {
                page = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_6__/* .ListObjectsV2Command */ .u6x({ Bucket: this.target.bucket, Prefix: this.root, ContinuationToken: token, MaxKeys: maxKeys }));
            }
            catch (error) {
                throw (0,_storage_s3_s3_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .mapS3Error */ .BZ)(error, this.call('ListObjectsV2', 's3:ListBucket', this.root));
            }
            for (const object of page.Contents ?? []) {
                if (!object.Key)
                    continue;
                yield { key: object.Key, size: object.Size ?? 0, etag: object.ETag ?? '', lastModified: object.LastModified?.toISOString() };
            }
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
            if (page.IsTruncated && !token) {
                throw new _storage_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq('s3-listing-truncated', `Listing ${this.location} at ${this.endpointLabel} was cut short without a continuation token.`, 'The bucket does not page ListObjectsV2 correctly; no backup was written.');
            }
        } while (token);
    }
    /** True when nothing is stored under the prefix. */
    async isEmpty() {
        for await (const _ of this.list(1))
            return false;
        return true;
    }
    /** Streams one object. */
    async get(key, signal) {
        try {
            const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_6__/* .GetObjectCommand */ .jLs({ Bucket: this.target.bucket, Key: key }), { abortSignal: signal });
            return {
                body: response.Body,
                size: response.ContentLength ?? 0,
                etag: response.ETag ?? '',
                versionId: response.VersionId && response.VersionId !== 'null' ? response.VersionId : undefined,
                lastModified: response.LastModified?.toISOString(),
            };
        }
        catch (error) {
            throw (0,_storage_s3_s3_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .mapS3Error */ .BZ)(error, this.call('GetObject', 's3:GetObject', key));
        }
    }
    /** Streams `body` to `key` (multipart when large). */
    async put(key, body, size) {
        try {
            await new _storage_s3_multipart_upload_js__WEBPACK_IMPORTED_MODULE_4__/* .MultipartUpload */ .U(this.client, { Bucket: this.target.bucket, Key: key }, (0,_storage_s3_part_size_js__WEBPACK_IMPORTED_MODULE_5__/* .planUpload */ .d7)(size), this.tempDir).done(body);
        }
        catch (error) {
            throw (0,_storage_s3_s3_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .mapS3Error */ .BZ)(error, this.call('PutObject', 's3:PutObject', key));
        }
    }
    /** Closes the client's sockets. */
    close() {
        this.client.destroy();
    }
}
/** Opens the bucket `url` names with the `bucket-*` settings; credentials from them or else the run's AWS environment. */
function openBucket(url, option, options, context) {
    const location = parseBucketUrl(url, option);
    (0,_report_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .registerSecret */ .cl)(options.bucketSecretAccessKey);
    (0,_report_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .registerSecret */ .cl)(options.bucketSessionToken);
    if (Boolean(options.bucketAccessKeyId) !== Boolean(options.bucketSecretAccessKey)) {
        throw new _report_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .OptionError */ .eR('Only one of `bucket-access-key-id` and `bucket-secret-access-key` is set.', 'Set both (from secrets), or neither to use the AWS environment.');
    }
    const env = options.bucketAccessKeyId
        ? { AWS_ACCESS_KEY_ID: options.bucketAccessKeyId, AWS_SECRET_ACCESS_KEY: options.bucketSecretAccessKey, AWS_SESSION_TOKEN: options.bucketSessionToken }
        : context.env;
    const region = (0,_storage_s3_s3_client_js__WEBPACK_IMPORTED_MODULE_7__.resolveRegion)(options.bucketRegion, context.env);
    const endpoint = options.bucketEndpoint?.trim() || undefined;
    const client = (0,_storage_s3_s3_client_js__WEBPACK_IMPORTED_MODULE_7__.createS3Client)({ endpoint, region, forcePathStyle: options.bucketForcePathStyle ?? false }, env);
    return new SourceBucket(client, location, { endpoint, region }, context.tempDir);
}


/***/ })

};

export const id = 446;
export const ids = [446,696];
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
/* harmony import */ var _storage_s3_multipart_upload_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(60966);
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
    location;
    endpointLabel;
    region;
    constructor(client, target, connection) {
        this.client = client;
        this.target = target;
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
            await new _storage_s3_multipart_upload_js__WEBPACK_IMPORTED_MODULE_4__/* .MultipartUpload */ .U(this.client, { Bucket: this.target.bucket, Key: key }, (0,_storage_s3_part_size_js__WEBPACK_IMPORTED_MODULE_5__/* .planUpload */ .d7)(size)).done(body);
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
    return new SourceBucket(client, location, { endpoint, region });
}


/***/ }),

/***/ 60966:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  U: () => (/* binding */ MultipartUpload)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(53711);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./node_modules/@smithy/signature-v4/dist-cjs/index.js
var signature_v4_dist_cjs = __webpack_require__(75118);
// EXTERNAL MODULE: ./packages/core/src/storage/s3/s3-client.ts
var s3_client = __webpack_require__(57696);
;// CONCATENATED MODULE: ./packages/core/src/storage/s3/part-sender.ts







/** An S3 error answer, shaped as the SDK's exceptions are, so `mapS3Error` reads it the same way. */
class PartRequestError extends Error {
    Code;
    $metadata;
    $response;
    constructor(code, message, status, headers = {}, options) {
        super(message, options);
        this.name = code;
        this.Code = code;
        this.$metadata = { httpStatusCode: status };
        this.$response = { headers };
    }
}
/** The S3 codes and HTTP statuses worth another attempt, as the SDK's standard retry treats them. */
const RETRY_CODES = new Set(['RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'Throttling', 'ThrottlingException', 'InternalError', 'ServiceUnavailable']);
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Whether an attempt that failed this way may be repeated. */
function retryable(error) {
    if (error instanceof PartRequestError)
        return RETRY_CODES.has(error.Code) || RETRY_STATUSES.has(error.$metadata.httpStatusCode ?? 0);
    const code = error?.code;
    return typeof code === 'string' && (RETRY_NETWORK.has(code) || code === 'ERR_STREAM_PREMATURE_CLOSE');
}
const binary = (data) => typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
/** SHA-256 and HMAC-SHA-256 on node:crypto, in the shape the signer takes. */
class Sha256 {
    hash;
    constructor(secret) {
        this.hash = secret === undefined ? (0,external_node_crypto_.createHash)('sha256') : (0,external_node_crypto_.createHmac)('sha256', binary(secret));
    }
    update(data) {
        this.hash.update(binary(data));
    }
    async digest() {
        return new Uint8Array(this.hash.digest());
    }
}
/** RFC 3986 escaping, as SigV4 canonicalises query values. */
function part_sender_escape(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** The first `<Name>` element's text of an S3 XML error body. */
function part_sender_element(xml, name) {
    return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
/** Sends the parts of one multipart upload over keep-alive connections, signed with the client's credentials. */
class PartSender {
    client;
    target;
    uploadId;
    settings;
    agent;
    signer;
    constructor(client, target, uploadId, settings) {
        this.client = client;
        this.target = target;
        this.uploadId = uploadId;
        this.settings = settings;
        const Agent = target.protocol === 'https:' ? (external_node_https_default()).Agent : (external_node_http_default()).Agent;
        this.agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
        this.signer = new signature_v4_dist_cjs.SignatureV4({ credentials: client.config.credentials, region: target.region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    }
    /** Sends one part, repeating attempts that failed in a way worth repeating (with backoff); rejects with the last failure. */
    async send(partNumber, body, signal) {
        const payloadHash = (0,external_node_crypto_.createHash)('sha256').update(body).digest('hex');
        const checksum = this.settings.checksum ? crc32Base64(body) : undefined;
        for (let attempt = 1;; attempt++) {
            signal.throwIfAborted();
            try {
                return await this.attempt(partNumber, body, payloadHash, checksum, signal);
            }
            catch (error) {
                if (signal.aborted || attempt >= this.settings.maxAttempts || !retryable(error))
                    throw error;
                // Full jitter on an exponential base, as the SDK's standard retry strategy.
                await (0,promises_.setTimeout)(Math.random() * Math.min(20_000, 100 * 2 ** attempt), undefined, { signal });
            }
        }
    }
    /** Closes the idle connections. */
    close() {
        this.agent.destroy();
    }
    async attempt(partNumber, body, payloadHash, checksum, signal) {
        const { protocol, hostname, port, path } = this.target;
        const query = { partNumber: String(partNumber), uploadId: this.uploadId };
        // At the clock the SDK corrected from the store's answers, if it had to.
        const signingDate = new Date(Date.now() + (this.client.config.systemClockOffset ?? 0));
        const signed = await this.signer.sign({
            method: 'PUT',
            protocol,
            hostname,
            port,
            path,
            query,
            headers: {
                host: port === undefined ? hostname : `${hostname}:${port}`,
                'content-length': String(body.length),
                'x-amz-content-sha256': payloadHash,
                ...(checksum ? { 'x-amz-checksum-crc32': checksum } : {}),
            },
            body,
        }, { signingDate });
        const search = `partNumber=${part_sender_escape(query.partNumber)}&uploadId=${part_sender_escape(query.uploadId)}`;
        return await new Promise((resolve, reject) => {
            const request = (protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default())).request({ method: 'PUT', protocol, hostname, port, path: `${path}?${search}`, headers: signed.headers, agent: this.agent, signal }, (response) => {
                const status = response.statusCode ?? 0;
                const headers = response.headers;
                if (status >= 200 && status < 300) {
                    response.resume();
                    response.once('end', () => {
                        if (!headers.etag)
                            reject(new PartRequestError('MissingETag', `The store answered part ${partNumber} without an ETag.`, status, headers));
                        else
                            resolve({ etag: headers.etag, ...(headers['x-amz-checksum-crc32'] ? { crc32: headers['x-amz-checksum-crc32'] } : {}) });
                    });
                    response.once('error', reject);
                    return;
                }
                let text = '';
                response.setEncoding('utf8');
                response.on('data', (chunk) => {
                    if (text.length < 65_536)
                        text += chunk;
                });
                response.once('error', reject);
                response.once('end', () => {
                    const code = part_sender_element(text, 'Code') ?? (status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : `HTTP ${status}`);
                    reject(new PartRequestError(code, part_sender_element(text, 'Message') ?? `HTTP ${status} for part ${partNumber}`, status, headers));
                });
            });
            request.setTimeout(s3_client.REQUEST_TIMEOUT_MS, () => request.destroy(Object.assign(new Error(`No answer to part ${partNumber} for ${s3_client.REQUEST_TIMEOUT_MS / 1000} s.`), { code: 'ETIMEDOUT' })));
            const connectTimer = setTimeout(() => request.destroy(Object.assign(new Error(`Could not connect to ${hostname} within ${s3_client.CONNECT_TIMEOUT_MS / 1000} s.`), { code: 'ETIMEDOUT' })), s3_client.CONNECT_TIMEOUT_MS);
            request.once('socket', (socket) => {
                if (!socket.connecting)
                    clearTimeout(connectTimer);
                else
                    socket.once('connect', () => clearTimeout(connectTimer));
            });
            request.once('close', () => clearTimeout(connectTimer));
            request.once('error', reject);
            request.end(body);
        });
    }
}
/** The base64 CRC32 (big-endian) S3 expects in `x-amz-checksum-crc32`. */
function crc32Base64(body) {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((0,external_node_zlib_.crc32)(body) >>> 0, 0);
    return out.toString('base64');
}
/**
 * Adds a step to a CreateMultipartUpload command that records where the SDK sent it once
 * signed (endpoint rules, path style and region redirects applied), so its parts go there too.
 */
function captureTarget(command, found) {
    command.middlewareStack.addRelativeTo(((next) => async (args) => {
        const request = args.request ?? {};
        const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(request.headers?.authorization ?? '')?.[1];
        if ((request.protocol === 'http:' || request.protocol === 'https:') && request.hostname && request.path && region) {
            found({ protocol: request.protocol, hostname: request.hostname, port: request.port, path: request.path, region });
        }
        return next(args);
    }), { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'lifeboatPartTarget', override: true });
}

;// CONCATENATED MODULE: ./packages/core/src/storage/s3/multipart-upload.ts


/**
 * Streams a body to S3 in parts gathered into a fixed pool of `queueSize + 1` part buffers,
 * reused from part to part: one filling while up to `queueSize` are sent. Memory is then
 * `partSize × (queueSize + 1)` whatever the object's size, and no part is ever copied or
 * left for the garbage collector. A body that fits in one part is sent with PutObject. Parts
 * go out as plain signed PUTs (part-sender.ts); the SDK creates, completes and aborts.
 *
 * @aws-sdk/lib-storage's Upload gathers each part from the stream's chunks and concatenates
 * them into a new buffer per part; measured on a 2 GiB upload of 5 MiB parts it peaked at
 * 263 MiB RSS where this stays near the folder store's figure (scripts/bench/storage-upload.mjs).
 */
class MultipartUpload {
    client;
    params;
    plan;
    /** The multipart upload's id once created, for the caller to abort after a failure. */
    uploadId;
    controller = new AbortController();
    constructor(client, params, plan) {
        this.client = client;
        this.params = params;
        this.plan = plan;
    }
    /** Sends the whole body; rejects with the first failure (the body's or a request's) and stops every request in flight. */
    async done(body) {
        const { partSize, queueSize } = this.plan;
        const free = [Buffer.allocUnsafe(partSize)];
        let allocated = 1;
        const inFlight = new Set();
        const parts = [];
        let failure;
        let current = free.pop();
        let filled = 0;
        let partNumber = 0;
        const send = (buffer, length) => {
            const number = ++partNumber;
            const sending = this.sendPart(number, buffer.subarray(0, length)).then((part) => {
                parts.push(part);
                free.push(buffer);
            }, (error) => {
                failure ??= error;
                this.controller.abort();
            });
            const tracked = sending.finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
        };
        /** A buffer for the next part: a fresh one until the pool is full, then the first one a sent part gives back. */
        const nextBuffer = async () => {
            while (free.length === 0 && failure === undefined) {
                if (allocated < queueSize + 1) {
                    allocated++;
                    return Buffer.allocUnsafe(partSize);
                }
                await Promise.race(inFlight);
            }
            if (failure !== undefined)
                throw failure;
            return free.pop();
        };
        try {
            for await (const chunk of body) {
                let offset = 0;
                while (offset < chunk.length) {
                    if (failure !== undefined)
                        throw failure;
                    const copied = chunk.copy(current, filled, offset);
                    filled += copied;
                    offset += copied;
                    if (filled < partSize)
                        continue;
                    if (partNumber === 0)
                        await this.create();
                    send(current, filled);
                    current = await nextBuffer();
                    filled = 0;
                }
            }
            if (partNumber === 0) {
                // Everything fitted in one part: one PutObject, no multipart upload to complete or abort.
                await this.client.send(new dist_cjs/* PutObjectCommand */.wKZ({ ...this.params, Body: current.subarray(0, filled), ContentLength: filled }), {
                    abortSignal: this.controller.signal,
                });
                return;
            }
            if (filled > 0)
                send(current, filled);
            while (inFlight.size > 0)
                await Promise.race(inFlight);
            if (failure !== undefined)
                throw failure;
            if (partNumber > this.plan.maxParts)
                throw new Error(`${partNumber} parts where the store accepts ${this.plan.maxParts}`);
            parts.sort((a, b) => a.PartNumber - b.PartNumber);
            await this.client.send(new dist_cjs/* CompleteMultipartUploadCommand */.Gym({ Bucket: this.params.Bucket, Key: this.params.Key, UploadId: this.uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: this.controller.signal });
        }
        catch (error) {
            // The first failure is the cause: the aborts it triggers in other requests are not.
            failure ??= error;
            this.controller.abort();
            await Promise.allSettled(inFlight);
            throw failure;
        }
        finally {
            this.sender?.close();
        }
    }
    /** The request fields every part repeats (encryption with customer keys, checksum algorithm...), without the body's. */
    partParams() {
        const { Body: _body, ContentLength: _length, ContentMD5: _md5, ...params } = this.params;
        return params;
    }
    async create() {
        const params = this.partParams();
        // As lib-storage does: a client that checksums what it sends declares the algorithm up front, so parts and completion agree.
        if ((await this.client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED')
            params.ChecksumAlgorithm ??= 'CRC32';
        const command = new dist_cjs/* CreateMultipartUploadCommand */.nG4(params);
        let target;
        captureTarget(command, (found) => (target = found));
        const created = await this.client.send(command, { abortSignal: this.controller.signal });
        this.uploadId = created.UploadId;
        this.checksumAlgorithm = params.ChecksumAlgorithm;
        // Parts as plain signed PUTs where that covers the request (no checksum, or CRC32); else through the SDK.
        if (target && this.uploadId && (params.ChecksumAlgorithm === undefined || params.ChecksumAlgorithm === 'CRC32')) {
            this.sender = new PartSender(this.client, target, this.uploadId, {
                connections: this.plan.queueSize,
                maxAttempts: Math.max(1, await this.client.config.maxAttempts()),
                checksum: params.ChecksumAlgorithm === 'CRC32',
            });
        }
    }
    checksumAlgorithm;
    sender;
    async sendPart(number, body) {
        if (this.sender) {
            const sent = await this.sender.send(number, body, this.controller.signal);
            return { PartNumber: number, ETag: sent.etag, ...(sent.crc32 ? { ChecksumCRC32: sent.crc32 } : {}) };
        }
        const sent = await this.client.send(new dist_cjs/* UploadPartCommand */.iVK({
            ...this.partParams(),
            ...(this.checksumAlgorithm ? { ChecksumAlgorithm: this.checksumAlgorithm } : {}),
            UploadId: this.uploadId,
            PartNumber: number,
            Body: body,
            ContentLength: body.length,
        }), { abortSignal: this.controller.signal });
        if (!sent.ETag)
            throw new Error(`The store answered part ${number} without an ETag.`);
        return {
            PartNumber: number,
            ETag: sent.ETag,
            ...(sent.ChecksumCRC32 ? { ChecksumCRC32: sent.ChecksumCRC32 } : {}),
            ...(sent.ChecksumCRC32C ? { ChecksumCRC32C: sent.ChecksumCRC32C } : {}),
            ...(sent.ChecksumCRC64NVME ? { ChecksumCRC64NVME: sent.ChecksumCRC64NVME } : {}),
            ...(sent.ChecksumSHA1 ? { ChecksumSHA1: sent.ChecksumSHA1 } : {}),
            ...(sent.ChecksumSHA256 ? { ChecksumSHA256: sent.ChecksumSHA256 } : {}),
        };
    }
}


/***/ }),

/***/ 57696:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CONNECT_TIMEOUT_MS: () => (/* binding */ CONNECT_TIMEOUT_MS),
/* harmony export */   REQUEST_TIMEOUT_MS: () => (/* binding */ REQUEST_TIMEOUT_MS),
/* harmony export */   createS3Client: () => (/* binding */ createS3Client),
/* harmony export */   resolveRegion: () => (/* binding */ resolveRegion)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(53711);

/** How long connecting may take, and how long a connection may stay silent mid-request (parts included). */
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;
/** The region to sign for: the option, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
function resolveRegion(option, env) {
    return option?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1';
}
/**
 * An S3 client for AWS S3 or an S3-compatible store.
 *
 * Credentials: keys in the run's env (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN) when present, else the AWS SDK's default chain (profiles, SSO, web
 * identity / OIDC role assumption, container and instance roles).
 *
 * Checksums only WHEN_REQUIRED: many S3-compatible stores reject or mis-store the default
 * CRC32 trailers (s3rver stores aws-chunked framing bytes); integrity is covered by SigV4
 * payload signing, the stored-size check and the manifest's SHA-256.
 */
function createS3Client(connection, env) {
    const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
    return new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__/* .S3Client */ .YxF({
        endpoint: connection.endpoint,
        region: connection.region,
        forcePathStyle: connection.forcePathStyle,
        followRegionRedirects: true,
        credentials: accessKeyId && secretAccessKey
            ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN?.trim() || undefined }
            : undefined,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // Fail fast on an endpoint that never answers; idle sockets mid-transfer are dead ones.
        requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    });
}


/***/ })

};

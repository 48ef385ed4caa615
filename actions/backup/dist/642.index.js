export const id = 642;
export const ids = [642,696];
export const modules = {

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


/***/ }),

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
/* harmony import */ var _multipart_upload_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(60966);
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
        }, plan);
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

export const id = 837;
export const ids = [837,696];
export const modules = {

/***/ 30837:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  U: () => (/* binding */ MultipartUpload)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(53711);
// EXTERNAL MODULE: ./packages/core/src/storage/s3/part-size.ts
var part_size = __webpack_require__(66291);
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
        const inMemory = Buffer.isBuffer(body);
        const payloadHash = inMemory ? (0,external_node_crypto_.createHash)('sha256').update(body).digest('hex') : body.sha256;
        const checksum = this.settings.checksum ? (inMemory ? crc32Base64(body) : body.crc32) : undefined;
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
            // The payload's hash is in its header, so the signer never reads the body.
            body: Buffer.isBuffer(body) ? body : undefined,
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
            if (Buffer.isBuffer(body))
                return request.end(body);
            // A spooled part is read from its file again for each attempt.
            const source = body.open();
            source.once('error', (error) => request.destroy(error));
            request.once('close', () => source.destroy());
            source.pipe(request);
        });
    }
}
/** The base64 CRC32 (big-endian) S3 expects in `x-amz-checksum-crc32`. */
function crc32Base64(body) {
    return encodeCrc32((0,external_node_zlib_.crc32)(body));
}
/** A CRC32 value as S3 expects it: four big-endian bytes in base64. */
function encodeCrc32(value) {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value >>> 0, 0);
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

// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./packages/core/src/process/private-temp.ts
var private_temp = __webpack_require__(33159);
// EXTERNAL MODULE: ./packages/core/src/options/values.ts
var values = __webpack_require__(48048);
// EXTERNAL MODULE: ./packages/core/src/storage/errors.ts
var errors = __webpack_require__(76004);
;// CONCATENATED MODULE: ./packages/core/src/storage/s3/part-spool.ts









/** The store's failure to write or read the spool, naming the folder and what to change. */
class UploadSpoolError extends errors/* StorageError */.aq {
    constructor(dir, partSize, parts, error) {
        const code = error?.code;
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        super('upload-spool-failed', `Could not ${full ? 'spool a part of the upload: no space left' : `use the upload's spool folder (${code ?? (error instanceof Error ? error.message : String(error))})`} in ${dir}.`, `The upload keeps up to ${parts} parts of ${(0,values/* formatBytes */.z3)(partSize)} there (${(0,values/* formatBytes */.z3)(parts * partSize)}) until the store acknowledges them. ${full ? 'Free that much space, or point RUNNER_TEMP (or TMPDIR) at a larger disk' : 'Point RUNNER_TEMP (or TMPDIR) at a writable folder'}; a smaller \`s3-part-size\` needs less.`, { cause: error });
    }
}
const READ_CHUNK = 1024 * 1024;
/** One part's file: filled from the start, hashed as it is written, reused once its part is acknowledged. */
class SpoolFile {
    handle;
    partSize;
    failure;
    hash = (0,external_node_crypto_.createHash)('sha256');
    crc = 0;
    filled = 0;
    constructor(handle, partSize, failure) {
        this.handle = handle;
        this.partSize = partSize;
        this.failure = failure;
    }
    /** Writes bytes from `chunk` at `offset` up to the part's size; resolves with how many it took. */
    async fill(chunk, offset) {
        const taken = chunk.subarray(offset, offset + (this.partSize - this.filled));
        let written = 0;
        try {
            while (written < taken.length) {
                const { bytesWritten } = await this.handle.write(taken, written, taken.length - written, this.filled + written);
                written += bytesWritten;
            }
        }
        catch (error) {
            throw this.failure(error);
        }
        this.hash.update(taken);
        this.crc = (0,external_node_zlib_.crc32)(taken, this.crc);
        this.filled += taken.length;
        return taken.length;
    }
    /** The part as written so far, to send; no more is written to it until `reset`. */
    body() {
        if (this.sealed)
            return this.sealed;
        const length = this.filled;
        this.sealed = { length, sha256: this.hash.digest('hex'), crc32: encodeCrc32(this.crc), open: () => external_node_stream_.Readable.from(this.read(length), { objectMode: false }) };
        return this.sealed;
    }
    sealed;
    /** The file's first `length` bytes, in 1 MiB reads. */
    async *read(length) {
        for (let position = 0; position < length;) {
            const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, length - position));
            let bytesRead;
            try {
                ({ bytesRead } = await this.handle.read(buffer, 0, buffer.length, position));
            }
            catch (error) {
                throw this.failure(error);
            }
            if (bytesRead === 0)
                throw this.failure(Object.assign(new Error('a spool file is shorter than its part'), { code: 'ESHORT' }));
            position += bytesRead;
            yield bytesRead < buffer.length ? buffer.subarray(0, bytesRead) : buffer;
        }
    }
    /** Makes the file ready for the next part. */
    reset() {
        this.sealed = undefined;
        this.hash = (0,external_node_crypto_.createHash)('sha256');
        this.crc = 0;
        this.filled = 0;
    }
    /** Closes the file. */
    close() {
        return this.handle.close().catch(() => { });
    }
}
/** The private folder of one upload's spool files, removed when the upload ends. */
class PartSpool {
    dir;
    partSize;
    slots;
    files = [];
    constructor(dir, partSize, slots) {
        this.dir = dir;
        this.partSize = partSize;
        this.slots = slots;
    }
    /** Makes the spool folder (0700, removed on exit) under `base`. */
    static async create(base, partSize, slots) {
        try {
            return new PartSpool(await (0,private_temp/* createPrivateTempDir */.fb)(base, 'lifeboat-upload-'), partSize, slots);
        }
        catch (error) {
            throw new UploadSpoolError(base, partSize, slots, error);
        }
    }
    /** A new spool file. */
    async file() {
        let handle;
        try {
            handle = await (0,external_node_fs_promises_.open)((0,external_node_path_.join)(this.dir, `part-${this.files.length + 1}`), 'wx+', 0o600);
        }
        catch (error) {
            throw this.failure(error);
        }
        const file = new SpoolFile(handle, this.partSize, (error) => this.failure(error));
        this.files.push(file);
        return file;
    }
    /** The error to report for a failed spool read or write. */
    failure(error) {
        return error instanceof UploadSpoolError ? error : new UploadSpoolError(this.dir, this.partSize, this.slots, error);
    }
    /** Closes the files and removes the folder. */
    async remove() {
        await Promise.all(this.files.map((file) => file.close()));
        await (0,private_temp/* removePrivateTempDir */.$j)(this.dir);
    }
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
    spoolBase;
    /** The multipart upload's id once created, for the caller to abort after a failure. */
    uploadId;
    controller = new AbortController();
    constructor(client, params, plan, 
    /** Where spooled parts' folder goes (the run's temp folder). */
    spoolBase) {
        this.client = client;
        this.params = params;
        this.plan = plan;
        this.spoolBase = spoolBase;
    }
    /** Sends the whole body; rejects with the first failure (the body's or a request's) and stops every request in flight. */
    async done(body) {
        const { partSize, queueSize } = this.plan;
        // Made when the first part outgrows memory, so small objects never touch the disk.
        let spool;
        const spoolFile = async () => (spool ??= await PartSpool.create(this.spoolBase, partSize, queueSize + 1)).file();
        const newSlot = async () => (!this.plan.spool ? memorySlot(partSize) : spool ? await spoolFile() : headSlot(partSize, spoolFile));
        const free = [];
        let allocated = 1;
        const inFlight = new Set();
        const parts = [];
        let failure;
        let partNumber = 0;
        const send = (slot) => {
            const number = ++partNumber;
            const sending = this.sendPart(number, slot.body()).then((part) => {
                parts.push(part);
                slot.reset();
                free.push(slot);
            }, (error) => {
                failure ??= error;
                this.controller.abort();
            });
            const tracked = sending.finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
        };
        /** A slot for the next part: a fresh one until the pool is full, then the first one a sent part gives back. */
        const nextSlot = async () => {
            while (free.length === 0 && failure === undefined) {
                if (allocated < queueSize + 1) {
                    allocated++;
                    return newSlot();
                }
                await Promise.race(inFlight);
            }
            if (failure !== undefined)
                throw failure;
            return free.pop();
        };
        try {
            let current = await newSlot();
            for await (const chunk of body) {
                let offset = 0;
                while (offset < chunk.length) {
                    if (failure !== undefined)
                        throw failure;
                    offset += await current.fill(chunk, offset);
                    if (current.filled < partSize)
                        continue;
                    if (partNumber === 0)
                        await this.create();
                    send(current);
                    current = await nextSlot();
                }
            }
            const last = current.body();
            if (partNumber === 0 && Buffer.isBuffer(last)) {
                // Everything fitted in one part in memory: one PutObject, no multipart upload to complete or abort.
                await this.client.send(new dist_cjs/* PutObjectCommand */.wKZ({ ...this.params, Body: last, ContentLength: last.length }), { abortSignal: this.controller.signal });
                return;
            }
            // A single spooled part still goes as a multipart upload: its signed PUT streams from the file.
            if (partNumber === 0)
                await this.create();
            if (current.filled > 0 || partNumber === 0)
                send(current);
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
            await spool?.remove();
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
            Body: Buffer.isBuffer(body) ? body : body.open(),
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
function memorySlot(partSize) {
    const buffer = Buffer.allocUnsafe(partSize);
    let filled = 0;
    return {
        get filled() {
            return filled;
        },
        fill(chunk, offset) {
            const copied = chunk.copy(buffer, filled, offset);
            filled += copied;
            return copied;
        },
        body: () => buffer.subarray(0, filled),
        reset: () => void (filled = 0),
    };
}
/**
 * The first slot of a spooled upload: gathers in memory up to SPOOL_ABOVE, then moves what it
 * holds into a spool file and goes on there, so an object that small never touches the disk.
 */
function headSlot(partSize, spoolFile) {
    let head = Buffer.allocUnsafe(Math.min(part_size/* SPOOL_ABOVE */.M4, partSize));
    let filled = 0;
    let file;
    return {
        get filled() {
            return file ? file.filled : filled;
        },
        async fill(chunk, offset) {
            if (file)
                return file.fill(chunk, offset);
            if (filled < head.length) {
                const copied = chunk.copy(head, filled, offset);
                filled += copied;
                return copied;
            }
            file = await spoolFile();
            await file.fill(head, 0);
            head = undefined;
            return file.fill(chunk, offset);
        },
        body: () => (file ? file.body() : head.subarray(0, filled)),
        reset: () => (file ? file.reset() : void (filled = 0)),
    };
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

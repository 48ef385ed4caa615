export const id = 642;
export const ids = [642];
export const modules = {

/***/ 22358:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

const { PutObjectCommand, ChecksumAlgorithm, CreateMultipartUploadCommand, AbortMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, PutObjectTaggingCommand } = __webpack_require__(53711);
const { toEndpointV1, getEndpointFromInstructions } = __webpack_require__(62085);
const { extendedEncodeURIComponent } = __webpack_require__(93422);
const { EventEmitter } = __webpack_require__(24434);
const { Buffer } = __webpack_require__(20181);
const { statSync, ReadStream } = __webpack_require__(73024);
const { Readable } = __webpack_require__(2203);

const runtimeConfigShared = {
    statSync: () => { },
    isFileReadStream(f) {
        return false;
    },
};

const runtimeConfig = {
    ...runtimeConfigShared,
    runtime: "node",
    statSync,
    isFileReadStream(f) {
        return f instanceof ReadStream;
    },
};

const byteLength = (input) => {
    if (input == null) {
        return 0;
    }
    if (typeof input === "string") {
        return Buffer.byteLength(input);
    }
    if (typeof input.byteLength === "number") {
        return input.byteLength;
    }
    else if (typeof input.length === "number") {
        return input.length;
    }
    else if (typeof input.size === "number") {
        return input.size;
    }
    else if (typeof input.start === "number" && typeof input.end === "number") {
        return input.end + 1 - input.start;
    }
    else if (runtimeConfig.isFileReadStream(input)) {
        try {
            return runtimeConfig.statSync(input.path).size;
        }
        catch (error) {
            return undefined;
        }
    }
    return undefined;
};

var BYTE_LENGTH_SOURCE;
(function (BYTE_LENGTH_SOURCE) {
    BYTE_LENGTH_SOURCE["EMPTY_INPUT"] = "a null or undefined Body";
    BYTE_LENGTH_SOURCE["CONTENT_LENGTH"] = "the ContentLength property of the params set by the caller";
    BYTE_LENGTH_SOURCE["STRING_LENGTH"] = "the encoded byte length of the Body string";
    BYTE_LENGTH_SOURCE["TYPED_ARRAY"] = "the byteLength of a typed byte array such as Uint8Array";
    BYTE_LENGTH_SOURCE["LENGTH"] = "the value of Body.length";
    BYTE_LENGTH_SOURCE["SIZE"] = "the value of Body.size";
    BYTE_LENGTH_SOURCE["START_END_DIFF"] = "the numeric difference between Body.start and Body.end";
    BYTE_LENGTH_SOURCE["STAT"] = "the size of the file given by Body.path on disk as reported by statSync";
})(BYTE_LENGTH_SOURCE || (BYTE_LENGTH_SOURCE = {}));
const byteLengthSource = (input, override) => {
    if (override != null) {
        return BYTE_LENGTH_SOURCE.CONTENT_LENGTH;
    }
    if (input == null) {
        return BYTE_LENGTH_SOURCE.EMPTY_INPUT;
    }
    if (typeof input === "string") {
        return BYTE_LENGTH_SOURCE.STRING_LENGTH;
    }
    if (typeof input.byteLength === "number") {
        return BYTE_LENGTH_SOURCE.TYPED_ARRAY;
    }
    else if (typeof input.length === "number") {
        return BYTE_LENGTH_SOURCE.LENGTH;
    }
    else if (typeof input.size === "number") {
        return BYTE_LENGTH_SOURCE.SIZE;
    }
    else if (typeof input.start === "number" && typeof input.end === "number") {
        return BYTE_LENGTH_SOURCE.START_END_DIFF;
    }
    else if (runtimeConfig.isFileReadStream(input)) {
        try {
            runtimeConfig.statSync(input.path).size;
            return BYTE_LENGTH_SOURCE.STAT;
        }
        catch (error) {
            return undefined;
        }
    }
    return undefined;
};

async function* getChunkStream(data, partSize, getNextData) {
    let partNumber = 1;
    const currentBuffer = { chunks: [], length: 0 };
    for await (const datum of getNextData(data)) {
        currentBuffer.chunks.push(datum);
        currentBuffer.length += datum.byteLength;
        while (currentBuffer.length > partSize) {
            const dataChunk = currentBuffer.chunks.length > 1 ? Buffer.concat(currentBuffer.chunks) : currentBuffer.chunks[0];
            yield {
                partNumber,
                data: dataChunk.subarray(0, partSize),
            };
            currentBuffer.chunks = [dataChunk.subarray(partSize)];
            currentBuffer.length = currentBuffer.chunks[0].byteLength;
            partNumber += 1;
        }
    }
    yield {
        partNumber,
        data: currentBuffer.chunks.length !== 1 ? Buffer.concat(currentBuffer.chunks) : currentBuffer.chunks[0],
        lastPart: true,
    };
}

async function* getChunkUint8Array(data, partSize) {
    let partNumber = 1;
    let startByte = 0;
    let endByte = partSize;
    while (endByte < data.byteLength) {
        yield {
            partNumber,
            data: data.subarray(startByte, endByte),
        };
        partNumber += 1;
        startByte = endByte;
        endByte = startByte + partSize;
    }
    yield {
        partNumber,
        data: data.subarray(startByte),
        lastPart: true,
    };
}

async function* getDataReadable(data) {
    for await (const chunk of data) {
        if (Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) {
            yield chunk;
        }
        else {
            yield Buffer.from(chunk);
        }
    }
}

async function* getDataReadableStream(data) {
    const reader = data.getReader();
    try {
        while (true) {
            const { done, value } = await reader.read();
            if (done) {
                return;
            }
            if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
                yield value;
            }
            else {
                yield Buffer.from(value);
            }
        }
    }
    catch (e) {
        throw e;
    }
    finally {
        reader.releaseLock();
    }
}

const getChunk = (data, partSize) => {
    if (data instanceof Uint8Array) {
        return getChunkUint8Array(data, partSize);
    }
    if (data instanceof Readable) {
        return getChunkStream(data, partSize, getDataReadable);
    }
    if (data instanceof String || typeof data === "string") {
        return getChunkUint8Array(Buffer.from(data), partSize);
    }
    if (typeof data.stream === "function") {
        return getChunkStream(data.stream(), partSize, getDataReadableStream);
    }
    if (data instanceof ReadableStream) {
        return getChunkStream(data, partSize, getDataReadableStream);
    }
    throw new Error("Body Data is unsupported format, expected data to be one of: string | Uint8Array | Buffer | Readable | ReadableStream | Blob;.");
};

class Upload extends EventEmitter {
    static MIN_PART_SIZE = 1024 * 1024 * 5;
    MAX_PARTS = 10_000;
    queueSize = 4;
    partSize;
    leavePartsOnError = false;
    tags = [];
    client;
    params;
    totalBytes;
    totalBytesSource;
    bytesUploadedSoFar;
    abortController;
    concurrentUploaders = [];
    createMultiPartPromise;
    abortMultipartUploadCommand = null;
    uploadedParts = [];
    uploadEnqueuedPartsCount = 0;
    expectedPartsCount;
    uploadId;
    uploadEvent;
    isMultiPart = true;
    singleUploadResult;
    sent = false;
    constructor(options) {
        super();
        this.queueSize = options.queueSize || this.queueSize;
        this.leavePartsOnError = options.leavePartsOnError || this.leavePartsOnError;
        this.tags = options.tags || this.tags;
        this.client = options.client;
        this.params = options.params;
        if (!this.params) {
            throw new Error(`InputError: Upload requires params to be passed to upload.`);
        }
        this.totalBytes = this.params.ContentLength ?? byteLength(this.params.Body);
        this.totalBytesSource = byteLengthSource(this.params.Body, this.params.ContentLength);
        this.bytesUploadedSoFar = 0;
        this.abortController = options.abortController ?? new AbortController();
        this.partSize =
            options.partSize || Math.max(Upload.MIN_PART_SIZE, Math.ceil((this.totalBytes || 0) / this.MAX_PARTS));
        if (this.totalBytes !== undefined) {
            this.expectedPartsCount = Math.ceil(this.totalBytes / this.partSize);
        }
        this.__validateInput();
    }
    async abort() {
        this.abortController.abort();
    }
    async done() {
        if (this.sent) {
            throw new Error("@aws-sdk/lib-storage: this instance of Upload has already executed .done(). Create a new instance.");
        }
        this.sent = true;
        return await Promise.race([this.__doMultipartUpload(), this.__abortTimeout(this.abortController.signal)]);
    }
    on(event, listener) {
        this.uploadEvent = event;
        return super.on(event, listener);
    }
    async __uploadUsingPut(dataPart) {
        this.isMultiPart = false;
        const params = { ...this.params, Body: dataPart.data };
        const clientConfig = this.client.config;
        const requestHandler = clientConfig.requestHandler;
        const eventEmitter = requestHandler instanceof EventEmitter ? requestHandler : null;
        const uploadEventListener = (event) => {
            this.bytesUploadedSoFar = event.loaded;
            this.totalBytes = event.total;
            this.__notifyProgress({
                loaded: this.bytesUploadedSoFar,
                total: this.totalBytes,
                part: dataPart.partNumber,
                Key: this.params.Key,
                Bucket: this.params.Bucket,
            });
        };
        if (eventEmitter !== null) {
            eventEmitter.on("xhr.upload.progress", uploadEventListener);
        }
        const resolved = await Promise.all([this.client.send(new PutObjectCommand(params)), clientConfig?.endpoint?.()]);
        const putResult = resolved[0];
        let endpoint = resolved[1];
        if (!endpoint) {
            endpoint = toEndpointV1(await getEndpointFromInstructions(params, PutObjectCommand, {
                ...clientConfig,
            }));
        }
        if (!endpoint) {
            throw new Error('Could not resolve endpoint from S3 "client.config.endpoint()" nor EndpointsV2.');
        }
        if (eventEmitter !== null) {
            eventEmitter.off("xhr.upload.progress", uploadEventListener);
        }
        const locationKey = this.params
            .Key.split("/")
            .map((segment) => extendedEncodeURIComponent(segment))
            .join("/");
        const locationBucket = extendedEncodeURIComponent(this.params.Bucket);
        const Location = (() => {
            const endpointHostnameIncludesBucket = endpoint.hostname.startsWith(`${locationBucket}.`);
            const forcePathStyle = this.client.config.forcePathStyle;
            const optionalPort = endpoint.port ? `:${endpoint.port}` : ``;
            if (forcePathStyle) {
                return `${endpoint.protocol}//${endpoint.hostname}${optionalPort}/${locationBucket}/${locationKey}`;
            }
            if (endpointHostnameIncludesBucket) {
                return `${endpoint.protocol}//${endpoint.hostname}${optionalPort}/${locationKey}`;
            }
            return `${endpoint.protocol}//${locationBucket}.${endpoint.hostname}${optionalPort}/${locationKey}`;
        })();
        this.singleUploadResult = {
            ...putResult,
            Bucket: this.params.Bucket,
            Key: this.params.Key,
            Location,
        };
        const totalSize = byteLength(dataPart.data);
        this.__notifyProgress({
            loaded: totalSize,
            total: totalSize,
            part: 1,
            Key: this.params.Key,
            Bucket: this.params.Bucket,
        });
    }
    async __createMultipartUpload() {
        const requestChecksumCalculation = await this.client.config.requestChecksumCalculation();
        if (!this.createMultiPartPromise) {
            const createCommandParams = { ...this.params, Body: undefined };
            if (requestChecksumCalculation === "WHEN_SUPPORTED") {
                createCommandParams.ChecksumAlgorithm = this.params.ChecksumAlgorithm || ChecksumAlgorithm.CRC32;
            }
            this.createMultiPartPromise = this.client
                .send(new CreateMultipartUploadCommand(createCommandParams))
                .then((createMpuResponse) => {
                this.abortMultipartUploadCommand = new AbortMultipartUploadCommand({
                    Bucket: this.params.Bucket,
                    Key: this.params.Key,
                    UploadId: createMpuResponse.UploadId,
                });
                return createMpuResponse;
            });
        }
        return this.createMultiPartPromise;
    }
    async __doConcurrentUpload(dataFeeder) {
        for await (const dataPart of dataFeeder) {
            if (this.uploadEnqueuedPartsCount > this.MAX_PARTS) {
                throw new Error(`Exceeded ${this.MAX_PARTS} parts in multipart upload to Bucket: ${this.params.Bucket} Key: ${this.params.Key}.`);
            }
            if (this.abortController.signal.aborted) {
                return;
            }
            if (dataPart.partNumber === 1 && dataPart.lastPart) {
                return await this.__uploadUsingPut(dataPart);
            }
            if (!this.uploadId) {
                const { UploadId } = await this.__createMultipartUpload();
                this.uploadId = UploadId;
                if (this.abortController.signal.aborted) {
                    return;
                }
            }
            const partSize = byteLength(dataPart.data) || 0;
            const requestHandler = this.client.config.requestHandler;
            const eventEmitter = requestHandler instanceof EventEmitter ? requestHandler : null;
            let lastSeenBytes = 0;
            const uploadEventListener = (event, request) => {
                const requestPartSize = Number(request.query["partNumber"]) || -1;
                if (requestPartSize !== dataPart.partNumber) {
                    return;
                }
                if (event.total && partSize) {
                    this.bytesUploadedSoFar += event.loaded - lastSeenBytes;
                    lastSeenBytes = event.loaded;
                }
                this.__notifyProgress({
                    loaded: this.bytesUploadedSoFar,
                    total: this.totalBytes,
                    part: dataPart.partNumber,
                    Key: this.params.Key,
                    Bucket: this.params.Bucket,
                });
            };
            if (eventEmitter !== null) {
                eventEmitter.on("xhr.upload.progress", uploadEventListener);
            }
            this.uploadEnqueuedPartsCount += 1;
            this.__validateUploadPart(dataPart);
            const partResult = await this.client.send(new UploadPartCommand({
                ...this.params,
                ContentLength: undefined,
                UploadId: this.uploadId,
                Body: dataPart.data,
                PartNumber: dataPart.partNumber,
            }));
            if (eventEmitter !== null) {
                eventEmitter.off("xhr.upload.progress", uploadEventListener);
            }
            if (this.abortController.signal.aborted) {
                return;
            }
            if (!partResult.ETag) {
                throw new Error(`Part ${dataPart.partNumber} is missing ETag in UploadPart response. Missing Bucket CORS configuration for ETag header?`);
            }
            this.uploadedParts.push({
                PartNumber: dataPart.partNumber,
                ETag: partResult.ETag,
                ...(partResult.ChecksumCRC32 && { ChecksumCRC32: partResult.ChecksumCRC32 }),
                ...(partResult.ChecksumCRC32C && { ChecksumCRC32C: partResult.ChecksumCRC32C }),
                ...(partResult.ChecksumCRC64NVME && { ChecksumCRC64NVME: partResult.ChecksumCRC64NVME }),
                ...(partResult.ChecksumSHA1 && { ChecksumSHA1: partResult.ChecksumSHA1 }),
                ...(partResult.ChecksumSHA256 && { ChecksumSHA256: partResult.ChecksumSHA256 }),
            });
            if (eventEmitter === null) {
                this.bytesUploadedSoFar += partSize;
            }
            this.__notifyProgress({
                loaded: this.bytesUploadedSoFar,
                total: this.totalBytes,
                part: dataPart.partNumber,
                Key: this.params.Key,
                Bucket: this.params.Bucket,
            });
        }
    }
    async __doMultipartUpload() {
        const dataFeeder = getChunk(this.params.Body, this.partSize);
        const concurrentUploaderFailures = [];
        for (let index = 0; index < this.queueSize; index++) {
            const currentUpload = this.__doConcurrentUpload(dataFeeder).catch((err) => {
                concurrentUploaderFailures.push(err);
            });
            this.concurrentUploaders.push(currentUpload);
        }
        await Promise.all(this.concurrentUploaders);
        if (concurrentUploaderFailures.length >= 1) {
            await this.markUploadAsAborted();
            throw concurrentUploaderFailures[0];
        }
        if (this.abortController.signal.aborted) {
            await this.markUploadAsAborted();
            throw Object.assign(new Error("Upload aborted."), { name: "AbortError" });
        }
        let result;
        if (this.isMultiPart) {
            const { expectedPartsCount, uploadedParts, totalBytes, totalBytesSource } = this;
            if (totalBytes !== undefined && expectedPartsCount !== undefined && uploadedParts.length !== expectedPartsCount) {
                await this.markUploadAsAborted();
                throw new Error(`Expected ${expectedPartsCount} part(s) but uploaded ${uploadedParts.length} part(s).
The expected part count is based on the byte-count of the input.params.Body,
which was read from ${totalBytesSource} and is ${totalBytes}.
If this is not correct, provide an override value by setting a number
to input.params.ContentLength in bytes.
`);
            }
            this.uploadedParts.sort((a, b) => a.PartNumber - b.PartNumber);
            const uploadCompleteParams = {
                ...this.params,
                Body: undefined,
                UploadId: this.uploadId,
                MultipartUpload: {
                    Parts: this.uploadedParts,
                },
            };
            try {
                result = await this.client.send(new CompleteMultipartUploadCommand(uploadCompleteParams));
            }
            catch (e) {
                await this.markUploadAsAborted().catch((abortError) => {
                    if (e instanceof Error && e.cause === undefined) {
                        e.cause = abortError;
                    }
                });
                throw e;
            }
            if (typeof result?.Location === "string" && result.Location.includes("%2F")) {
                result.Location = result.Location.replace(/%2F/g, "/");
            }
        }
        else {
            result = this.singleUploadResult;
        }
        this.abortMultipartUploadCommand = null;
        if (this.tags.length) {
            await this.client.send(new PutObjectTaggingCommand({
                ...this.params,
                Tagging: {
                    TagSet: this.tags,
                },
            }));
        }
        return result;
    }
    async markUploadAsAborted() {
        if (this.uploadId && !this.leavePartsOnError && null !== this.abortMultipartUploadCommand) {
            await this.client.send(this.abortMultipartUploadCommand);
            this.abortMultipartUploadCommand = null;
        }
    }
    __notifyProgress(progress) {
        if (this.uploadEvent) {
            this.emit(this.uploadEvent, progress);
        }
    }
    async __abortTimeout(abortSignal) {
        return new Promise((resolve, reject) => {
            abortSignal.onabort = () => {
                const abortError = new Error("Upload aborted.");
                abortError.name = "AbortError";
                reject(abortError);
            };
        });
    }
    __validateUploadPart(dataPart) {
        const actualPartSize = byteLength(dataPart.data);
        if (actualPartSize === undefined) {
            throw new Error(`A dataPart was generated without a measurable data chunk size for part number ${dataPart.partNumber}`);
        }
        if (dataPart.partNumber === 1 && dataPart.lastPart) {
            return;
        }
        if (!dataPart.lastPart && actualPartSize !== this.partSize) {
            throw new Error(`The byte size for part number ${dataPart.partNumber}, size ${actualPartSize} does not match expected size ${this.partSize}`);
        }
    }
    __validateInput() {
        if (!this.client) {
            throw new Error(`InputError: Upload requires a AWS client to do uploads with.`);
        }
        if (this.partSize < Upload.MIN_PART_SIZE) {
            throw new Error(`EntityTooSmall: Your proposed upload part size [${this.partSize}] is smaller than the minimum allowed size [${Upload.MIN_PART_SIZE}] (5MB)`);
        }
        if (this.queueSize < 1) {
            throw new Error(`Queue size: Must have at least one uploading queue.`);
        }
    }
}

exports._ = Upload;


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
/* harmony import */ var _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(22358);
/* harmony import */ var _report_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(77045);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76004);
/* harmony import */ var _probe_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(31205);
/* harmony import */ var _keys_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(44959);
/* harmony import */ var _signals_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(74978);
/* harmony import */ var _body_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(18023);
/* harmony import */ var _part_size_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(66291);
/* harmony import */ var _s3_errors_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(7892);












/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;
function nameOf(error) {
    return error?.name;
}
/**
 * A store in an S3 (or S3-compatible) bucket under a prefix. Uploads go through
 * @aws-sdk/lib-storage with a planned part size; a failed upload is aborted so no parts are
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
        return (0,_keys_js__WEBPACK_IMPORTED_MODULE_6__/* .joinKey */ .ID)(this.target.prefix, (0,_keys_js__WEBPACK_IMPORTED_MODULE_6__/* .checkKey */ .yR)(key));
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
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: root, MaxKeys: 1 }));
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
        const key = (0,_probe_js__WEBPACK_IMPORTED_MODULE_5__/* .probeKey */ .Ss)();
        const fullKey = this.fullKey(key);
        const body = (0,_probe_js__WEBPACK_IMPORTED_MODULE_5__/* .probeBody */ .Re)(key);
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.PutObjectCommand({
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
                failure = new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StoreProbeError */ .ev(`The probe object read back from ${this.location} differs from what was written (${back.length} bytes instead of ${body.length}).`, 'Something between Lifeboat and the store alters objects: check `s3-endpoint` and any proxy in front of it.');
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
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.DeleteObjectCommand({ Bucket: this.target.bucket, Key: fullKey }));
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
        const plan = (0,_part_size_js__WEBPACK_IMPORTED_MODULE_7__/* .planUpload */ .d7)(options.expectedSize, this.settings.partSize, this.settings.maxParts);
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
        const cancel = () => body.destroy(new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UploadCancelledError */ .xT(key, this.location, { cause: signal?.reason }));
        if (signal?.aborted)
            cancel();
        signal?.addEventListener('abort', cancel, { once: true });
        const lock = this.settings.objectLock;
        const upload = new _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_2__/* .Upload */ ._({
            client: this.client,
            partSize: plan.partSize,
            queueSize: plan.queueSize,
            leavePartsOnError: false,
            params: {
                Bucket: this.target.bucket,
                Key: fullKey,
                Body: counter,
                ContentType: options.contentType,
                ServerSideEncryption: this.settings.sse,
                SSEKMSKeyId: this.settings.kmsKeyId,
                StorageClass: this.settings.storageClass,
                ObjectLockMode: lock?.mode,
                ObjectLockRetainUntilDate: lock ? new Date(this.context.now().getTime() + lock.days * 86_400_000) : undefined,
                // Object Lock requires a checksum on every PutObject/UploadPart.
                ChecksumAlgorithm: lock ? 'CRC32' : undefined,
            },
        });
        try {
            await upload.done();
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
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UploadCancelledError */ .xT(key, this.location, { cause: signal.reason });
        }
        return { key, size: stored };
    }
    /** Aborts a multipart upload lib-storage may have left (its own abort can fail or be skipped). */
    async abortLeftover(uploadId, fullKey) {
        if (!uploadId)
            return;
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.AbortMultipartUploadCommand({ Bucket: this.target.bucket, Key: fullKey, UploadId: uploadId }));
        }
        catch (error) {
            if (nameOf(error) === 'NoSuchUpload')
                return; // already aborted
            const mapped = (0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('AbortMultipartUpload', 's3:AbortMultipartUpload', fullKey));
            this.context.reporter.warning(`Could not abort the failed multipart upload ${uploadId} of s3://${this.target.bucket}/${fullKey}; its parts stay billed until removed. ${(0,_report_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .describeError */ .Uc)(mapped)} A lifecycle rule with AbortIncompleteMultipartUpload removes such leftovers.`);
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
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StoredSizeMismatchError */ .fo(key, this.location, sent, stored?.size);
        }
        return stored.size;
    }
    /** Streams the object; ObjectNotFoundError when the key does not exist. */
    async get(key) {
        const fullKey = this.fullKey(key);
        try {
            const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.GetObjectCommand({ Bucket: this.target.bucket, Key: fullKey }));
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
            const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.HeadObjectCommand({ Bucket: this.target.bucket, Key: fullKey }));
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
        (0,_keys_js__WEBPACK_IMPORTED_MODULE_6__/* .checkPrefix */ .by)(prefix);
        const root = this.target.prefix ? `${this.target.prefix}/` : '';
        const full = root + prefix;
        let token;
        do {
            let page;
            try {
                page = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: full, ContinuationToken: token }));
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
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('s3-listing-truncated', `Listing s3://${this.target.bucket}/${full} at ${this.target.endpointLabel} was cut short without a continuation token.`, 'The store does not page ListObjectsV2 correctly; use another S3-compatible store or report it to its vendor.');
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
                const response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.DeleteObjectsCommand({
                    Bucket: this.target.bucket,
                    Delete: { Objects: batch.map(({ fullKey }) => ({ Key: fullKey })), Quiet: true },
                }));
                errors = response.Errors ?? [];
            }
            catch (error) {
                const reason = (0,_report_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .describeError */ .Uc)((0,_s3_errors_js__WEBPACK_IMPORTED_MODULE_8__/* .mapS3Error */ .BZ)(error, this.call('DeleteObjects', 's3:DeleteObject', batch[0]?.fullKey)));
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

export const id = 626;
export const ids = [626];
export const modules = {

/***/ 13626:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ArtifactStore: () => (/* binding */ ArtifactStore)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76004);
/* harmony import */ var _keys_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(44959);
/* harmony import */ var _signals_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(74978);
/* harmony import */ var _body_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(18023);
/* harmony import */ var _artifact_names_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(39463);
/* harmony import */ var _probe_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(31205);










function nameOf(error) {
    return error?.name;
}
/** The operator's view of a failure of @actions/artifact. */
function artifactError(error, action, key, location) {
    const name = nameOf(error);
    const message = error?.message ?? String(error);
    const cause = { cause: error };
    if (name === 'ArtifactNotFoundError')
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ObjectNotFoundError */ .d_(key, location, cause);
    if (name === 'UsageError') {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-quota', `GitHub refused to ${action} '${key}' in ${location}: the account's artifact storage quota is used up.`, 'Delete old artifacts, raise the quota, or store backups in s3:// instead.', cause);
    }
    if (name === 'GHESNotSupportedError') {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-unsupported', 'GitHub Enterprise Server does not offer the artifact service `artifact://` needs.', 'Use s3://bucket/prefix or a folder.', cause);
    }
    if (name === 'NetworkError') {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StoreUnreachableError */ .I8('the GitHub artifact service', error.code ?? 'network error', cause, 'Retry; on a self-hosted runner, allow it to reach the GitHub Actions artifact and blob storage hosts.');
    }
    return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-failed', `Could not ${action} '${key}' in ${location}: ${message.split('\n')[0]}`, 'Retry the job; if it persists, check https://www.githubstatus.com and the workflow\'s `permissions`.', cause);
}
/**
 * A store of GitHub Actions artifacts, one per object (see artifact-names.ts for the
 * mapping). Works only inside a JavaScript action, through @actions/artifact, which reads
 * ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL from the process environment.
 *
 * The artifact API sees the artifacts of the current workflow run only. Artifacts are
 * immutable (a key is written once) and expire after their retention (1 to 90 days).
 * Objects pass through a temp file on upload and download: the library uploads files.
 */
class ArtifactStore {
    client;
    prefix;
    retentionDays;
    context;
    kind = 'github-artifact';
    location;
    constructor(client, prefix, retentionDays, context) {
        this.client = client;
        this.prefix = prefix;
        this.retentionDays = retentionDays;
        this.context = context;
        this.location = `artifact://${prefix}`;
    }
    nameOf(key) {
        return (0,_artifact_names_js__WEBPACK_IMPORTED_MODULE_6__/* .artifactName */ .C)(this.prefix, (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .checkKey */ .yR)(key));
    }
    /** Lists this run's artifacts (the service answers, the token is accepted); with `write`, uploads, downloads and deletes a probe artifact. */
    async probe(options = {}) {
        for await (const _ of this.list(''))
            break;
        if (options.write)
            await (0,_probe_js__WEBPACK_IMPORTED_MODULE_7__/* .writeProbe */ .ej)(this);
        return { notes: [] };
    }
    /** Writes `body` to a temp file named for the artifact, uploads it unzipped, removes the file. */
    put(key, body, options = {}) {
        return (0,_body_js__WEBPACK_IMPORTED_MODULE_8__/* .consumeOrDestroy */ .o)(body, () => this.upload(key, body, options));
    }
    async upload(key, body, options) {
        const name = this.nameOf(key);
        if (await this.head(key)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-exists', `'${key}' already exists in ${this.location}, and artifacts cannot be overwritten.`, 'Write it under a new key, or delete the artifact first.');
        }
        const signal = (0,_signals_js__WEBPACK_IMPORTED_MODULE_9__/* .anySignal */ .J)(options.signal, this.context.signal);
        const folder = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.context.tempDir, 'lifeboat-artifact-'));
        try {
            const file = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(folder, name);
            const sink = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(file);
            let writeFailure;
            sink.once('error', (error) => (writeFailure ??= error));
            try {
                await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_3__.pipeline)(body, sink, signal ? { signal } : {});
            }
            catch (error) {
                if (signal?.aborted)
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UploadCancelledError */ .xT(key, this.location, { cause: error });
                if (error === writeFailure && ['ENOSPC', 'EDQUOT'].includes(error.code ?? '')) {
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageFullError */ .$m(this.context.tempDir, key, { cause: error });
                }
                throw error;
            }
            const size = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(file)).size;
            let uploaded;
            try {
                uploaded = await this.client.uploadArtifact(name, [file], folder, {
                    skipArchive: true,
                    ...(this.retentionDays ? { retentionDays: this.retentionDays } : {}),
                });
            }
            catch (error) {
                throw artifactError(error, 'upload', key, this.location);
            }
            if (uploaded.size !== undefined && uploaded.size !== size) {
                await this.delete([key]);
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StoredSizeMismatchError */ .fo(key, this.location, size, uploaded.size);
            }
            return { key, size };
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(folder, { recursive: true, force: true });
        }
    }
    /** Downloads the artifact to a temp folder (checking its digest) and streams the file; the folder goes when the stream closes. */
    async get(key) {
        const name = this.nameOf(key);
        let artifact;
        try {
            ({ artifact } = await this.client.getArtifact(name));
        }
        catch (error) {
            throw artifactError(error, 'find', key, this.location);
        }
        const folder = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.context.tempDir, 'lifeboat-artifact-'));
        try {
            let result;
            try {
                result = await this.client.downloadArtifact(artifact.id, {
                    path: folder,
                    skipDecompress: true,
                    ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
                });
            }
            catch (error) {
                throw artifactError(error, 'download', key, this.location);
            }
            if (result.digestMismatch) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-digest-mismatch', `The download of '${key}' from ${this.location} does not match the digest GitHub recorded at upload.`, 'Retry; if it persists, the artifact is damaged: use another backup.');
            }
            const files = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir)(folder);
            if (files.length !== 1) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-failed', `The download of '${key}' from ${this.location} produced ${files.length} files instead of one.`);
            }
            const stream = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(folder, files[0]));
            stream.once('close', () => void (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(folder, { recursive: true, force: true }));
            return stream;
        }
        catch (error) {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(folder, { recursive: true, force: true });
            throw error;
        }
    }
    /** The artifact's size and creation time, or undefined when there is none. */
    async head(key) {
        try {
            const { artifact } = await this.client.getArtifact(this.nameOf(key));
            return { key, size: artifact.size, lastModified: artifact.createdAt };
        }
        catch (error) {
            if (nameOf(error) === 'ArtifactNotFoundError')
                return undefined;
            throw artifactError(error, 'look up', key, this.location);
        }
    }
    /** Artifacts of this run whose names map to keys under `prefix`. */
    async *list(prefix) {
        (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .checkPrefix */ .by)(prefix);
        let artifacts;
        try {
            ({ artifacts } = await this.client.listArtifacts({ latest: true }));
        }
        catch (error) {
            throw artifactError(error, 'list', prefix, this.location);
        }
        for (const artifact of artifacts) {
            const key = (0,_artifact_names_js__WEBPACK_IMPORTED_MODULE_6__/* .keyFromArtifactName */ .z)(this.prefix, artifact.name);
            if (key !== undefined && key.startsWith(prefix))
                yield { key, size: artifact.size, lastModified: artifact.createdAt };
        }
    }
    /** Deletes artifacts one by one; a missing one counts as deleted. */
    async delete(keys) {
        const result = { deleted: [], failed: [] };
        for (const key of keys) {
            try {
                await this.client.deleteArtifact(this.nameOf(key));
                result.deleted.push(key);
            }
            catch (error) {
                if (nameOf(error) === 'ArtifactNotFoundError')
                    result.deleted.push(key);
                else
                    result.failed.push({ key, reason: error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq ? error.message : artifactError(error, 'delete', key, this.location).message });
            }
        }
        return result;
    }
}


/***/ })

};

export const id = 626;
export const ids = [626,666];
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
/* harmony import */ var _signals_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(74978);
/* harmony import */ var _body_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(18023);
/* harmony import */ var _artifact_names_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(39463);
/* harmony import */ var _probe_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(31205);
/* harmony import */ var _repository_artifacts_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(64666);











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
 * The artifact service sees the artifacts of the current workflow run only; with `repository`
 * (the Actions REST API and a token with `actions: read`), reads and deletes also reach the
 * artifacts of every earlier run, so a scheduled drill sees the nightly backups. Writes always
 * go to the current run. Artifacts are immutable (a key is written once) and expire after
 * their retention (1 to 90 days). Objects pass through a temp file on upload and download:
 * the library uploads files.
 */
class ArtifactStore {
    client;
    prefix;
    retentionDays;
    context;
    repository;
    kind = 'github-artifact';
    location;
    constructor(client, prefix, retentionDays, context, repository) {
        this.client = client;
        this.prefix = prefix;
        this.retentionDays = retentionDays;
        this.context = context;
        this.repository = repository;
        this.location = `artifact://${prefix}`;
    }
    /** Earlier runs' artifacts, listed once per store: every listing and lookup reads this copy. */
    earlier;
    earlierRuns() {
        if (!this.repository)
            return Promise.resolve([]);
        this.earlier ??= this.repository.list().catch((error) => {
            this.earlier = undefined;
            throw error;
        });
        return this.earlier;
    }
    /** The newest artifact of an earlier (or this) run named for `key`, through the REST API. */
    async findEarlier(key) {
        const name = this.nameOf(key);
        return (0,_repository_artifacts_js__WEBPACK_IMPORTED_MODULE_8__.newestByName)((await this.earlierRuns()).filter((a) => a.name === name)).get(name);
    }
    nameOf(key) {
        return (0,_artifact_names_js__WEBPACK_IMPORTED_MODULE_6__/* .artifactName */ .C)(this.prefix, (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .checkKey */ .yR)(key));
    }
    /** Lists this run's artifacts (the service answers, the token is accepted), and earlier runs' with a repository; with `write`, uploads, downloads and deletes a probe artifact. */
    async probe(options = {}) {
        for await (const _ of this.list(''))
            break;
        if (options.write)
            await (0,_probe_js__WEBPACK_IMPORTED_MODULE_7__/* .writeProbe */ .ej)(this);
        return {
            notes: this.repository
                ? []
                : ['`artifact://` sees only this workflow run\'s artifacts: without `artifact-token`, backups made by other runs are invisible here.'],
        };
    }
    /** Writes `body` to a temp file named for the artifact, uploads it unzipped, removes the file. */
    put(key, body, options = {}) {
        return (0,_body_js__WEBPACK_IMPORTED_MODULE_9__/* .consumeOrDestroy */ .o)(body, () => this.upload(key, body, options));
    }
    async upload(key, body, options) {
        const name = this.nameOf(key);
        if (await this.head(key)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq('artifact-exists', `'${key}' already exists in ${this.location}, and artifacts cannot be overwritten.`, 'Write it under a new key, or delete the artifact first.');
        }
        const signal = (0,_signals_js__WEBPACK_IMPORTED_MODULE_10__/* .anySignal */ .J)(options.signal, this.context.signal);
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
    /** Downloads the artifact to a temp folder (checking its digest) and streams the file, removed before the stream is returned. */
    async get(key) {
        const name = this.nameOf(key);
        let found;
        try {
            const { artifact } = await this.client.getArtifact(name);
            found = { id: artifact.id, ...(artifact.digest ? { digest: artifact.digest } : {}) };
        }
        catch (error) {
            const earlier = nameOf(error) === 'ArtifactNotFoundError' ? await this.findEarlier(key) : undefined;
            if (!earlier)
                throw artifactError(error, 'find', key, this.location);
            found = { id: earlier.id, runId: earlier.workflowRunId, ...(earlier.digest ? { digest: earlier.digest } : {}) };
        }
        const folder = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(this.context.tempDir, 'lifeboat-artifact-'));
        try {
            let result;
            try {
                result = await this.client.downloadArtifact(found.id, {
                    path: folder,
                    skipDecompress: true,
                    ...(found.digest ? { expectedHash: found.digest } : {}),
                    ...(found.runId !== undefined && this.repository
                        ? { findBy: { token: this.repository.token, workflowRunId: found.runId, repositoryOwner: this.repository.owner, repositoryName: this.repository.name } }
                        : {}),
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
            // Opened, then removed at once: the open file still reads, and nothing is left behind whoever reads it.
            const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(folder, files[0]));
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(folder, { recursive: true, force: true });
            return handle.createReadStream();
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
            if (nameOf(error) !== 'ArtifactNotFoundError')
                throw artifactError(error, 'look up', key, this.location);
        }
        const earlier = await this.findEarlier(key);
        return earlier ? { key, size: earlier.size, lastModified: earlier.createdAt } : undefined;
    }
    /** Artifacts of this run (and, with a repository, of earlier runs) whose names map to keys under `prefix`; one per key, the newest. */
    async *list(prefix) {
        (0,_keys_js__WEBPACK_IMPORTED_MODULE_5__/* .checkPrefix */ .by)(prefix);
        let artifacts;
        try {
            ({ artifacts } = await this.client.listArtifacts({ latest: true }));
        }
        catch (error) {
            throw artifactError(error, 'list', prefix, this.location);
        }
        // This run first: it is fresh, while the repository listing was taken once.
        const candidates = [...artifacts, ...(0,_repository_artifacts_js__WEBPACK_IMPORTED_MODULE_8__.newestByName)(await this.earlierRuns()).values()];
        const seen = new Set();
        for (const artifact of candidates) {
            const key = (0,_artifact_names_js__WEBPACK_IMPORTED_MODULE_6__/* .keyFromArtifactName */ .z)(this.prefix, artifact.name);
            if (key === undefined || !key.startsWith(prefix) || seen.has(key))
                continue;
            seen.add(key);
            yield { key, size: artifact.size, lastModified: artifact.createdAt };
        }
    }
    /** Deletes artifacts one by one, in this run and (with a repository) every earlier run; a missing one counts as deleted. */
    async delete(keys) {
        const result = { deleted: [], failed: [] };
        for (const key of keys) {
            try {
                await this.deleteHere(key);
                if ((await this.deleteEarlier(key)) === 'refused') {
                    // Not a failure of retention: GitHub's expiry removes it, and actions: write is the way to remove it sooner.
                    result.failed.push({
                        key,
                        reason: `GitHub refused to delete it: \`artifact-token\` lacks \`actions: write\`. Grant it to delete earlier runs' backups.`,
                        locked: true,
                        lockedBy: 'kept until GitHub\'s artifact expiry: `artifact-token` lacks `actions: write` to delete it sooner',
                    });
                    continue;
                }
                result.deleted.push(key);
            }
            catch (error) {
                result.failed.push({ key, reason: error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .StorageError */ .aq ? error.message : artifactError(error, 'delete', key, this.location).message });
            }
        }
        return result;
    }
    async deleteHere(key) {
        try {
            await this.client.deleteArtifact(this.nameOf(key));
        }
        catch (error) {
            if (nameOf(error) !== 'ArtifactNotFoundError')
                throw error;
        }
    }
    async deleteEarlier(key) {
        if (!this.repository)
            return 'deleted';
        const name = this.nameOf(key);
        const listed = await this.earlierRuns();
        for (const artifact of listed.filter((a) => a.name === name)) {
            if ((await this.repository.delete(artifact.id)) === 'refused')
                return 'refused';
            listed.splice(listed.indexOf(artifact), 1);
        }
        return 'deleted';
    }
}


/***/ }),

/***/ 64666:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   RepositoryArtifacts: () => (/* binding */ RepositoryArtifacts),
/* harmony export */   newestByName: () => (/* binding */ newestByName)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76004);

const PAGE = 100;
/** Bounds one listing: 100 pages of 100 is far more artifacts than 90 days of nightly backups make. */
const MAX_PAGES = 100;
/**
 * The artifacts of every workflow run of one repository, through the Actions REST API
 * (`GET /repos/{owner}/{repo}/actions/artifacts`, `DELETE …/artifacts/{id}`). The artifact
 * service @actions/artifact talks to sees the current run only; this is how a scheduled drill,
 * the gate and retention see the backups a nightly run made.
 */
class RepositoryArtifacts {
    settings;
    owner;
    name;
    constructor(settings) {
        this.settings = settings;
        const [owner, name, ...rest] = settings.repository.split('/');
        if (!owner || !name || rest.length > 0) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StorageError */ .aq('artifact-repository', `GITHUB_REPOSITORY '${settings.repository}' is not \`owner/name\`.`, 'Run inside a GitHub Actions job, which sets it.');
        }
        this.owner = owner;
        this.name = name;
    }
    /** The token, for the download @actions/artifact makes through the same API. */
    get token() {
        return this.settings.token;
    }
    async request(path, method) {
        const url = `${this.settings.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.name)}/actions/artifacts${path}`;
        try {
            return await fetch(url, {
                method,
                headers: {
                    accept: 'application/vnd.github+json',
                    authorization: `Bearer ${this.settings.token}`,
                    'x-github-api-version': '2022-11-28',
                    'user-agent': 'lifeboat',
                },
                signal: AbortSignal.timeout(60_000),
            });
        }
        catch (error) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StoreUnreachableError */ .I8('the GitHub Actions REST API', error?.name === 'TimeoutError' ? 'timed out' : 'network error', { cause: error }, 'Retry; on a self-hosted runner, allow it to reach GITHUB_API_URL.');
        }
    }
    /** The error for a refused request, naming the permission the token needs. */
    refused(response, action, permission) {
        if (response.status === 401 || response.status === 403 || response.status === 404) {
            return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StorageError */ .aq('artifact-token', `GitHub refused to ${action} the artifacts of ${this.owner}/${this.name} (HTTP ${response.status}): \`artifact-token\` is not accepted or lacks \`actions: ${permission}\`.`, `Give the job \`permissions: actions: ${permission}\` and pass the job's \`github.token\` as \`artifact-token\`, or a token with that permission on this repository.`);
        }
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StorageError */ .aq('artifact-failed', `GitHub answered HTTP ${response.status} to ${action} the artifacts of ${this.owner}/${this.name}.`, 'Retry the job; if it persists, check https://www.githubstatus.com.');
    }
    /** Every unexpired artifact of the repository, all pages. */
    async list() {
        const found = [];
        for (let page = 1; page <= MAX_PAGES; page++) {
            const response = await this.request(`?per_page=${PAGE}&page=${page}`, 'GET');
            if (!response.ok)
                throw this.refused(response, 'list', 'read');
            const body = (await response.json());
            const artifacts = Array.isArray(body.artifacts) ? body.artifacts : [];
            for (const artifact of artifacts) {
                const parsed = parseListed(artifact);
                if (parsed)
                    found.push(parsed);
            }
            if (artifacts.length < PAGE)
                return found;
        }
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StorageError */ .aq('artifact-too-many', `${this.owner}/${this.name} has more than ${PAGE * MAX_PAGES} artifacts: too many to list on every run.`, 'Delete old artifacts or shorten `artifact-retention-days`; for many backups, use s3:// instead.');
    }
    /** Deletes one artifact by id; a missing one counts as deleted. Resolves `refused` when the token may not delete. */
    async delete(id) {
        const response = await this.request(`/${id}`, 'DELETE');
        if (response.ok || response.status === 404)
            return 'deleted';
        if (response.status === 403)
            return 'refused';
        throw this.refused(response, 'delete', 'write');
    }
}
/** An artifact from a listing, or undefined when it expired or is malformed. */
function parseListed(artifact) {
    const runId = artifact.workflow_run?.id;
    if (artifact.expired === true || typeof artifact.id !== 'number' || typeof artifact.name !== 'string' || typeof runId !== 'number')
        return undefined;
    const createdAt = new Date(typeof artifact.created_at === 'string' ? artifact.created_at : NaN);
    return {
        id: artifact.id,
        name: artifact.name,
        size: typeof artifact.size_in_bytes === 'number' ? artifact.size_in_bytes : 0,
        createdAt: Number.isNaN(createdAt.getTime()) ? new Date(0) : createdAt,
        ...(typeof artifact.digest === 'string' && artifact.digest ? { digest: artifact.digest } : {}),
        workflowRunId: runId,
    };
}
/** The newest artifact of each name: a re-run job can leave one name in several runs. */
function newestByName(artifacts) {
    const byName = new Map();
    for (const artifact of artifacts) {
        const seen = byName.get(artifact.name);
        if (!seen || artifact.createdAt > seen.createdAt || (artifact.createdAt.getTime() === seen.createdAt.getTime() && artifact.id > seen.id)) {
            byName.set(artifact.name, artifact);
        }
    }
    return byName;
}


/***/ })

};

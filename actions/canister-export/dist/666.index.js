export const id = 666;
export const ids = [666];
export const modules = {

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

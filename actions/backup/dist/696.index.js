export const id = 696;
export const ids = [696];
export const modules = {

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

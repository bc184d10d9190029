/**
 * The one Digest profile Waymark offers, shared by the header side (parsing `Authorization`, writing
 * `WWW-Authenticate`) and the response side (checking and computing `response`). It sits in a module of
 * its own so that neither side imports the other.
 */

/** The realm of every Digest challenge, as the real API sends it. */
export const DIGEST_REALM = 'MMS Public API'

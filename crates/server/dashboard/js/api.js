// The Graph API and the control API, read like any client reads them: fetch with the
// bearer token, Graph's error shape turned into a GraphError.

import { currentToken } from './session.js';

/** An API answer that was not 2xx, with Graph's error code and message. */
export class GraphError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = details.requestId || null;
    this.retryAfter = details.retryAfter || null;
    this.url = details.url || '';
  }
}

let onUnauthorized = () => {};

/** Calls `handler(error)` whenever the API answers 401 (an expired or foreign token). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

async function errorOf(response, url) {
  let code = `HTTP ${response.status}`;
  let message = response.statusText || 'The request failed.';
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // Not Graph's error shape: keep the status line.
  }
  return new GraphError(response.status, code, message, {
    requestId: response.headers.get('request-id'),
    retryAfter: response.headers.get('retry-after'),
    url,
  });
}

async function request(method, url, body) {
  const headers = { Accept: 'application/json' };
  const token = currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    throw new GraphError(0, 'NetworkError', `The server did not answer (${cause.message}).`, { url });
  }
  if (!response.ok) {
    const error = await errorOf(response, url);
    if (error.status === 401) onUnauthorized(error);
    throw error;
  }
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** `path?$a=…&$b=…` with each value encoded; options left undefined are skipped. */
export function withQuery(path, options = {}) {
  const parts = Object.entries(options)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

export const api = {
  /** GET a JSON document (or the text of a `/$count`). */
  get: (url) => request('GET', url),
  /** Any method with an optional JSON body. */
  send: (method, url, body) => request(method, url, body),
  /** The number of entities of `collection` (matching `filter`), by `/$count`. */
  async count(collection, filter) {
    const text = await request('GET', withQuery(`${collection}/$count`, { $filter: filter }));
    const count = Number(text);
    if (!Number.isInteger(count)) {
      throw new GraphError(0, 'UnexpectedAnswer', `${collection}/$count answered ${text}`);
    }
    return count;
  },
};

/** Graph's places the dashboard reads. */
export const paths = {
  devices: '/v1.0/deviceManagement/managedDevices',
  updateSummary: '/v1.0/deviceManagement/softwareUpdateStatusSummary',
  scripts: '/beta/deviceManagement/deviceManagementScripts',
  configurations: '/beta/deviceAppManagement/mobileAppConfigurations',
  macos: '/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries',
  journal: '/_localgraph/requests',
  faults: '/_localgraph/faults',
  throttling: '/_localgraph/throttling',
  profile: '/_localgraph/profile',
};

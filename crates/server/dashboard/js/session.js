// The signed-in token. It arrives in the URL fragment (#token=…, never sent to the server)
// or through the sign-in box, is kept in sessionStorage (this tab only) and leaves the
// page only in the Authorization header of API requests.

const KEY = 'localgraph.token';

/** Moves a token from the address bar (#token=…) into the session, and clears it there. */
export function takeTokenFromFragment() {
  const hash = window.location.hash;
  if (!hash.startsWith('#token=')) return;
  const token = new URLSearchParams(hash.slice(1)).get('token');
  if (token && token.trim()) sessionStorage.setItem(KEY, token.trim());
  history.replaceState(null, '', `${window.location.pathname}#/overview`);
}

/** The token, or null when signed out. */
export function currentToken() {
  return sessionStorage.getItem(KEY);
}

/** Keeps `token` for this tab. */
export function signIn(token) {
  sessionStorage.setItem(KEY, token.trim());
}

/** Forgets the token. */
export function signOut() {
  sessionStorage.removeItem(KEY);
}

/** The token's claims (unverified: for display only), or null if it is not a JWT. */
export function claims(token) {
  const parts = (token || '').split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** A token's permissions: its roles (app-only) or scopes (delegated). */
export function grants(tokenClaims) {
  if (!tokenClaims) return [];
  const roles = tokenClaims.roles || [];
  return roles.length ? roles : (tokenClaims.scp || '').split(' ').filter(Boolean);
}

/** What a token grants, in a few words: "DeviceManagementApps.Read.All" or "9 application
 * permissions". */
export function describeGrants(tokenClaims) {
  const list = grants(tokenClaims);
  if (list.length === 0) return 'no permission';
  if (list.length <= 2) return list.join(', ');
  return tokenClaims.roles && tokenClaims.roles.length ? `${list.length} application permissions` : `${list.length} delegated permissions`;
}

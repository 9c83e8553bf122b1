/**
 * Connection strings and passwords never appear in output. These helpers
 * produce the safe forms used in messages, logs and history rows.
 */

const URL_RE = /\b(postgres(?:ql)?:\/\/)([^\s'"@/]*)@/gi;

/** Replace the user-info of every postgres:// URL in `text` with the user name only (no password). */
export function redactUrls(text: string): string {
  return text.replace(URL_RE, (_m, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user ? `${user}:***` : '***'}@`;
  });
}

/** Remove a known secret (a password) from `text` wherever it occurs. */
export function redactSecret(text: string, secret: string | undefined | null): string {
  if (!secret || secret.length < 2) return text;
  return text.split(secret).join('***');
}

/**
 * A description of a connection safe to print: `user@host:port/db`.
 * Returns `'(invalid connection string)'` when it cannot be parsed, without echoing it.
 */
export function describeConnection(url: string): string {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username);
    const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${user ? `${user}@` : ''}${host}${u.port ? `:${u.port}` : ''}/${db}`;
  } catch {
    return '(invalid connection string)';
  }
}

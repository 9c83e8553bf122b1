// Comparing who may do what beyond grants on objects: default privileges (with `privileges`) and owners (with `owners`).
import type { DriftBuilder } from './compare-drift.js';
import { ownerObject, ownerObjectText } from './owner-objects.js';
import { byCodePoint, type DefaultPrivilegeDef, type Snapshot } from './snapshot.js';

/** `default privileges for role alice in schema app on TABLES`. */
export function defaultPrivilegeScope(e: DefaultPrivilegeDef): string {
  return `default privileges for role ${e.role}${e.schema === null ? '' : ` in schema ${e.schema}`} on ${e.objectType.toUpperCase()}`;
}

function held(privileges: string[], grantable: string[]): string {
  if (privileges.length === 0) return 'nothing';
  return privileges.map((x) => (grantable.includes(x) ? `${x} (with grant option)` : x)).join(', ');
}

/** What a grantee is given on one side: its entry, else the built-in default (entries list only what differs from it). */
export function defaultGrant(
  e: DefaultPrivilegeDef | undefined,
  other: DefaultPrivilegeDef,
): { privileges: string[]; grantable: string[] } {
  return e ? { privileges: e.privileges, grantable: e.grantable } : { privileges: other.builtin, grantable: [] };
}

export function defaultPrivileges(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
  const pa = a.defaultPrivileges ?? {};
  const pb = b.defaultPrivileges ?? {};
  for (const k of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort(byCodePoint)) {
    const e = (pa[k] ?? pb[k])!;
    // Defaults in a schema only one side has are part of that schema's difference.
    if (e.schema !== null && !(e.schema in a.schemas && e.schema in b.schemas)) continue;
    const x = defaultGrant(pa[k], e);
    const y = defaultGrant(pb[k], e);
    if (x.privileges.join() === y.privileges.join() && x.grantable.join() === y.grantable.join()) continue;
    const scope = defaultPrivilegeScope(e);
    const to = e.grantee === 'public' ? 'PUBLIC' : e.grantee;
    d.different(
      'default privileges',
      `${scope} to ${to}`,
      'privileges',
      x.privileges,
      y.privileges,
      'warning',
      `${scope} grant ${held(x.privileges, x.grantable)} to ${to} in ${d.left} but ${held(y.privileges, y.grantable)} in ${d.right}`,
    );
  }
}

export function owners(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
  const oa = a.owners ?? {};
  const ob = b.owners ?? {};
  for (const k of Object.keys(ob).sort(byCodePoint)) {
    const x = oa[k];
    const y = ob[k]!;
    // An object on one side only is a difference of its own; a side read without owners says nothing about them.
    if (!x || x.owner === y.owner || !ownerObject(a, y.objectType, y.object)) continue;
    const what = ownerObjectText(b, y.objectType, y.object);
    d.different(
      'owner',
      what,
      'owner',
      x.owner,
      y.owner,
      'warning',
      `${what} is owned by ${x.owner} in ${d.left} but ${y.owner} in ${d.right}`,
    );
  }
}

/**
 * Everything a process made that must not outlive it: embedded servers
 * (startLocalServer) and scratch databases (createScratchDatabase) register
 * here while they exist, so a command stopped by a signal can drop and stop
 * them all (cleanUpAll) before it exits.
 */
export type CleanupKind = 'server' | 'database' | 'folder';

const pending = new Map<number, { kind: CleanupKind; run: () => Promise<void> }>();
let next = 0;

/**
 * Register a cleanup; returns the function that unregisters it (call it once
 * the thing is gone). `run` may be called more than once (by its owner and by
 * cleanUpAll) and must then return the same work's promise.
 */
export function registerCleanup(kind: CleanupKind, run: () => Promise<void>): () => void {
  const id = next++;
  pending.set(id, { kind, run });
  return () => void pending.delete(id);
}

/** What cleanUpAll did. */
export interface CleanupSummary {
  databases: number;
  servers: number;
  folders: number;
  /** Cleanups that failed, with why. */
  failed: string[];
}

/**
 * Run every registered cleanup: scratch databases first (dropped on their
 * server), then servers (stopped, their folders removed), then folders.
 */
export async function cleanUpAll(): Promise<CleanupSummary> {
  const summary: CleanupSummary = { databases: 0, servers: 0, folders: 0, failed: [] };
  for (const kind of ['database', 'server', 'folder'] as const) {
    const batch = [...pending].filter(([, c]) => c.kind === kind);
    await Promise.all(
      batch.map(async ([id, c]) => {
        try {
          await c.run();
          summary[kind === 'database' ? 'databases' : kind === 'server' ? 'servers' : 'folders']++;
        } catch (err) {
          summary.failed.push(`${kind}: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          pending.delete(id);
        }
      }),
    );
  }
  return summary;
}

/** How many cleanups are registered now, by kind (tests). */
export function pendingCleanups(): Record<CleanupKind, number> {
  const out: Record<CleanupKind, number> = { server: 0, database: 0, folder: 0 };
  for (const c of pending.values()) out[c.kind]++;
  return out;
}

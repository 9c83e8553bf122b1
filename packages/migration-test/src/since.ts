import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { StrataError } from '@pg-strata/core';

const run = promisify(execFile);

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], { maxBuffer: 1 << 26 });
  return stdout;
}

/** Whether `ref` names a commit of the git repository `dir` is in (false outside a repository, or when git is missing). */
export async function isGitRef(dir: string, ref: string): Promise<boolean> {
  if (ref.startsWith('-')) return false;
  try {
    await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The migration files (names inside `migrationsDir`) that git says were
 * added since `ref`: added between `ref` and the working tree (committed,
 * staged or not), and untracked ones not ignored. What a pull request's
 * check passes to `stairwayOnly`, with the revisions these files define.
 */
export async function migrationFilesAddedSince(migrationsDir: string, ref: string): Promise<string[]> {
  if (!(await isGitRef(migrationsDir, ref))) {
    throw new StrataError(
      'USAGE',
      `${ref} is neither a revision of the migrations nor a git commit of the repository ${basename(migrationsDir)}/ is in.`,
    );
  }
  const added = await git(migrationsDir, ['diff', '--name-only', '--no-renames', '--diff-filter=A', '--relative', ref, '--', '.']);
  const untracked = await git(migrationsDir, ['ls-files', '--others', '--exclude-standard', '--', '.']);
  const files = new Set(
    `${added}\n${untracked}`
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.includes('/')),
  );
  return [...files].sort();
}

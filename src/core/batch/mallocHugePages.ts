// Processes started for heavy image work ask glibc's malloc for transparent huge pages. Linux
// commonly hands them out only to memory that asks (transparent_hugepage=madvise, the default of
// Ubuntu and of this project's VM), Node never asks, and every 4 KB page of a fresh buffer then
// costs a page fault: on this project's VM ~12 us each, a third of the CPU of a 24 MP run. With
// the tunable, malloc'd buffers (ArrayBuffers, shared ones too) come in 2 MB pages: the CLI on a
// 24 MP photo faulted 74,000 pages instead of 139,000 and took 3.6 s instead of 4.1 s; six
// 12 MP photos, 5.1-5.3 s instead of 5.6-5.9 s. A process's tunables are read when it starts,
// so this is for the environment of a process about to be started (the extension's batch
// process; the CLI starts itself again, see cli/hugePages.ts). Non-glibc systems ignore it.

import { readFileSync } from 'node:fs';

/** glibc 2.35+: malloc advises the kernel to back its memory with huge pages. */
export const MALLOC_HUGE_PAGES = 'glibc.malloc.hugetlb=1';

/**
 * The value of GLIBC_TUNABLES for a child process: `current` (its parent's, if any) with malloc's
 * huge pages asked for, unless it already says something of them (the user's choice stands).
 */
export function withMallocHugePages(current: string | undefined): string {
  const tunables = (current ?? '').split(':').filter((t) => t !== '');
  return (saysMallocHugePages(current) ? tunables : [...tunables, MALLOC_HUGE_PAGES]).join(':');
}

/** Whether GLIBC_TUNABLES says anything of malloc's huge pages (asks for them or declines them). */
export function saysMallocHugePages(tunables: string | undefined): boolean {
  return (tunables ?? '').split(':').some((t) => t.startsWith('glibc.malloc.hugetlb='));
}

/** The kernel's transparent huge page mode ('always', 'madvise' or 'never'), if it says (Linux). */
export function hugePageMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

// A batch's progress and end as people read them, the same words in a terminal and in VS Code's
// notification: "12 of 200 · 9.5 images/s · 19 s left".
import type { BatchProgress, BatchSummary } from './engine';

/** 19 s, 4 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond >= 1 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

export function progressText(p: BatchProgress): string {
  const ended = p.done + p.failed + p.skipped;
  const parts = [`${ended} of ${p.total}`];
  if (p.done + p.failed > 0) parts.push(`${formatRate(p.imagesPerSecond)} images/s`);
  if (p.etaMs !== undefined) parts.push(`${formatDuration(p.etaMs)} left`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  return parts.join(' · ');
}

/** "200 images: 187 done, 12 skipped, 1 failed (b.png) in 21.4 s, 9.3 images/s". */
export function summaryText(s: BatchSummary, maxNames = 5): string {
  const parts = [`${s.done} done`];
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  if (s.failed > 0) {
    const names = s.failures.slice(0, maxNames).map((f) => f.name);
    const more = s.failures.length > maxNames ? `, ${s.failures.length - maxNames} more` : '';
    parts.push(`${s.failed} failed (${names.join(', ')}${more})`);
  }
  if (s.cancelled) parts.push(`${s.notRun} not run (stopped)`);
  const rate = s.done + s.failed > 0 ? `, ${formatRate(s.imagesPerSecond)} images/s` : '';
  return `${s.total} image${s.total === 1 ? '' : 's'}: ${parts.join(', ')} in ${s.seconds.toFixed(1)} s${rate}`;
}

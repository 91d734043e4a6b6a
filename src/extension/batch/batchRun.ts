// A batch in VS Code: core/batch's engine (one image per worker thread at background priority,
// the next files read while the current ones cluster, memory-target admission) under a
// cancellable progress notification that says "12 of 50 · 3.1 images/s · 12 s left". The
// extension host's thread only reports; its event-loop delay during the batch goes to the log,
// where the bench reads it.
// Files on the extension host's own disk (file: Uris) are batched in a process of their own
// (batchProcess.ts), whose workers read and save them with node:fs, with the same no-overwrite
// writer as workspace.fs: a batch of small images spent a third of its time in workspace.fs's
// round trips and durable writes (measured in code-server, 20 images at width 300: 3.0-3.2 s
// against 2.4-2.7 s), and a photo's bytes and composite (5 and 30 MB at 12 MP) held on the
// extension host's thread paused it up to 0.2 s in garbage collection. Other schemes (remote,
// virtual) go through workspace.fs, with the workers in the extension host.
import { basename } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { runBatch, type BatchProgress, type BatchSummary } from '../../core/batch/engine';
import type { ImageJob } from '../../core/batch/pipeline';
import { progressText, summaryText } from '../../core/batch/progress';
import { imageLine, type ImageLine } from '../../core/batch/processProtocol';
import { doneCheck } from '../../core/batch/skipDone';
import type { PanelParams } from '../../shared/params';
import { saveBeside } from '../files/saveBeside';
import { fileName, parentOf } from '../files/uris';
import { log } from '../log';
import { batchProcessPath, batchWorkerPath } from '../workers/workers';
import { runBatchProcess } from './batchProcess';
import { describeParams, failLine } from './batchFiles';

const PROGRESS_MS = 250;

export interface BatchRequest {
  files: vscode.Uri[];
  params: PanelParams;
  maxMegapixels: number;
  /** What the notification and the log call the batch (the folder's name). */
  label: string;
}

/**
 * The composites already beside each file for these parameters (by their names), or undefined
 * when the user backs out of the question. When some exist, the user chooses: skip them (a
 * stopped batch resumes) or segment everything again (new files beside the old ones).
 */
async function chooseSkips(files: readonly vscode.Uri[], params: PanelParams): Promise<Map<string, readonly string[]> | undefined> {
  const check = doneCheck<vscode.Uri>(
    {
      folderOf: (u) => parentOf(u).toString(),
      nameOf: fileName,
      list: async (folder) => {
        const entries = await Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse(folder))).catch(() => []);
        return entries.map(([name]) => name);
      },
    },
    params,
    params.format,
  );
  const existing = new Map<string, readonly string[]>();
  for (const f of files) {
    const outputs = await check(f);
    if (outputs.length > 0) existing.set(f.toString(), outputs);
  }
  if (existing.size === 0) return existing;
  const n = existing.size;
  const skip = {
    label: `Skip images already segmented with these parameters (${n})`,
    detail: `Segment the other ${files.length - n} of ${files.length}; a composite for these parameters is beside the ${n} skipped`,
  };
  const all = { label: `Segment all ${files.length} images again`, detail: 'New composites are saved beside the existing ones; nothing is replaced' };
  const choice = await vscode.window.showQuickPick([skip, all], {
    title: 'Batch Segment Images',
    placeHolder: `${n} of ${files.length} images already have a composite for these parameters`,
  });
  if (!choice) return undefined;
  return choice === skip ? existing : new Map();
}

export async function runExtensionBatch({ files, params, maxMegapixels, label }: BatchRequest): Promise<BatchSummary | undefined> {
  const skips = await chooseSkips(files, params);
  if (!skips) return undefined;
  const out = log();
  out.info(`Batch: ${files.length} image(s) in ${label} with ${describeParams(params)}${skips.size ? `, skipping ${skips.size} done already` : ''}`);
  const job: ImageJob = { params, maxPixels: maxMegapixels * 1e6, mode: 'gray', select: [], formats: [params.format] };
  const delay = monitorEventLoopDelay({ resolution: 10 });

  const onImage = (r: ImageLine): void => {
    const where = files[r.index]?.toString(true) ?? r.name;
    if (r.status === 'done') {
      out.info(`ok   ${where} -> ${r.written.map((w) => basename(w)).join(', ')} (${Math.round(r.ms)} ms)`);
      for (const w of r.warnings) out.warn(`${where}: ${w}`);
    } else if (r.status === 'skipped') out.info(`skip ${where}: done already (${r.existing.join(', ')})`);
    else out.error(failLine(where, r.name, r.message));
  };

  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `K-means batch (${label})`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      let latest: BatchProgress | undefined;
      let shownAt = 0;
      let timer: NodeJS.Timeout | undefined;
      const show = (): void => {
        timer = undefined;
        if (!latest) return;
        const ended = latest.done + latest.failed + latest.skipped;
        progress.report({ message: progressText(latest), increment: ((ended - reported) * 100) / latest.total });
        reported = ended;
        shownAt = performance.now();
      };
      progress.report({ message: `0 of ${files.length}` });
      const onProgress = (p: BatchProgress): void => {
        latest = p;
        // at most four redraws of the notification a second: small images end ten a second
        if (!timer) timer = setTimeout(show, Math.max(0, shownAt + PROGRESS_MS - performance.now()));
      };
      delay.enable();
      try {
        if (files.every((u) => u.scheme === 'file')) {
          return await runBatchProcess({
            processPath: batchProcessPath(),
            workerPath: batchWorkerPath(),
            files: files.map((u) => {
              const existing = skips.get(u.toString());
              return { path: u.fsPath, existing: existing && [...existing] };
            }),
            job,
            signal: abort.signal,
            onImage,
            onProgress,
          });
        }
        return await runBatch<vscode.Uri>(files, {
          job,
          workerPath: batchWorkerPath(),
          background: true,
          signal: abort.signal,
          name: fileName,
          read: async (uri) => vscode.workspace.fs.readFile(uri),
          write: async (uri, outcome) => {
            const bytes = outcome.composites[params.format];
            if (!bytes) throw new Error(`no ${params.format} composite was made`);
            return [fileName(await saveBeside(uri, bytes, { ...params, k: outcome.summary.k }, params.format))];
          },
          done: skips.size ? async (uri) => skips.get(uri.toString()) : undefined,
          onImage: (r) => onImage(imageLine(r)),
          onProgress,
        });
      } finally {
        // the last count is shown, not dropped: VS Code keeps the notification a moment longer
        if (timer) {
          clearTimeout(timer);
          show();
        }
        delay.disable();
        sub.dispose();
      }
    },
  );
  const ms = (ns: number): string => (ns / 1e6).toFixed(0);
  out.info(`${summaryText(summary)}; ${summary.peakJobs} at once; extension host event-loop delay: max ${ms(delay.max)} ms, p99 ${ms(delay.percentile(99))} ms`);
  void showSummary(summary);
  return summary;
}

/** The notification names the failures (the first five; the log has them all). */
async function showSummary(summary: BatchSummary): Promise<void> {
  const text = summaryText(summary);
  const showLog = 'Show Log';
  const pick = await (summary.failed > 0 || summary.cancelled ? vscode.window.showWarningMessage(text, showLog) : vscode.window.showInformationMessage(text, showLog));
  if (pick === showLog) log().show(true);
}

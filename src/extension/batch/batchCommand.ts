// "Batch Segment Images...": a folder (or the explorer's multi-selection) and parameters from the
// settings or chosen step by step; batchRun.ts then segments every image on worker threads and
// saves it beside itself. One bad image is logged; the rest go on.
import * as vscode from 'vscode';
import { oneLine } from '../../core/errors';
import { isOurOutput } from '../../core/naming';
import { describeParams, selectBatchFiles, wholeNumberProblem } from './batchFiles';
import { runExtensionBatch } from './batchRun';
import { log } from '../log';
import { currentSettings } from '../settings/settings';
import { fileName } from '../files/uris';
import { CHANNEL_NAMES, COLOR_SPACES, readPanelParams, type PanelParams } from '../../shared/params';
import { isImageName, OUTPUT_FORMATS } from '../../shared/formats';

/** Folders the fallback walk does not enter (the search service skips them too, by default). */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
const MAX_WALK_DEPTH = 12;

/**
 * `folderArg`: the explorer's folder; `paramsArg`: parameters a panel hands over ("Batch with
 * these parameters", checked again here): the folder is then asked for, starting at `folderArg`.
 */
export async function batchCommand(folderArg?: unknown, paramsArg?: unknown): Promise<void> {
  // From the explorer the second argument is the selection (a list of Uris), not parameters.
  const checked = paramsArg === undefined || Array.isArray(paramsArg) ? undefined : readPanelParams(paramsArg);
  const given = checked?.ok ? checked.value : undefined;
  let folder: vscode.Uri | undefined;
  if (folderArg instanceof vscode.Uri && !given) {
    const stat = await Promise.resolve(vscode.workspace.fs.stat(folderArg)).catch(() => undefined);
    if (stat && stat.type & vscode.FileType.Directory) folder = folderArg;
  }
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: folderArg instanceof vscode.Uri ? folderArg : vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: 'Segment Images in Folder',
      title: 'Batch Segment Images: choose a folder',
    });
    folder = picked?.[0];
    if (!folder) return;
  }
  const settings = currentSettings(folder);
  const params = given ?? (await askParams(settings.params));
  if (!params) return;
  const files = await listImages(folder, settings.batchGlob);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(`No images in ${fileName(folder)} match ${settings.batchGlob}.`);
    return;
  }
  await runExtensionBatch({ files, params, maxMegapixels: settings.maxMegapixels, label: fileName(folder) });
}

/** The explorer's multi-selection of images. */
export async function runBatchOnFiles(files: vscode.Uri[], label: string): Promise<void> {
  const settings = currentSettings(files[0]);
  const params = await askParams(settings.params);
  if (!params) return;
  const picked = files.filter((f) => isImageName(fileName(f)) && !isOurOutput(fileName(f)));
  await runExtensionBatch({ files: picked, params, maxMegapixels: settings.maxMegapixels, label });
}

async function listImages(folder: vscode.Uri, glob: string): Promise<vscode.Uri[]> {
  const base = folder.path.endsWith('/') ? folder.path : folder.path + '/';
  const rel = (u: vscode.Uri): string => (u.path.startsWith(base) ? u.path.slice(base.length) : u.path);
  let found: vscode.Uri[] = [];
  try {
    found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob));
  } catch (e) {
    log().warn(`Searching ${folder.toString(true)} failed (${oneLine(e)}); listing the folder instead`);
  }
  // File systems without a search provider (some virtual ones) find nothing: walk the folder.
  if (found.length === 0) found = await walk(folder, 0);
  const byRel = new Map(found.map((u) => [rel(u), u]));
  return selectBatchFiles([...byRel.keys()], glob).map((p) => byRel.get(p)!);
}

async function walk(dir: vscode.Uri, depth: number): Promise<vscode.Uri[]> {
  if (depth > MAX_WALK_DEPTH) return [];
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
  const out: vscode.Uri[] = [];
  for (const [name, type] of entries) {
    const uri = vscode.Uri.joinPath(dir, name);
    if (type & vscode.FileType.Directory) {
      if (!SKIP_DIRS.has(name)) out.push(...(await walk(uri, depth + 1)));
    } else if (type & vscode.FileType.File) out.push(uri);
  }
  return out;
}

/** "Use current settings" or the parameters step by step; undefined when the user backs out. */
async function askParams(current: PanelParams): Promise<PanelParams | undefined> {
  const use = { label: 'Use current settings', detail: describeParams(current) };
  const change = { label: 'Change parameters...', detail: 'Choose colour space, channels, clusters, width and format' };
  const choice = await vscode.window.showQuickPick([use, change], {
    title: 'Batch Segment Images: parameters',
    placeHolder: 'Segment with the current settings or change them',
  });
  if (!choice) return undefined;
  if (choice === use) return current;

  const title = (step: number): string => `Batch Segment Images: parameters (${step}/5)`;
  const space = await vscode.window.showQuickPick(
    COLOR_SPACES.map((id) => ({ label: id.toUpperCase(), description: CHANNEL_NAMES[id].join(' '), picked: id === current.colorSpace, id })),
    { title: title(1), placeHolder: `Colour space (now ${current.colorSpace.toUpperCase()})` },
  );
  if (!space) return undefined;
  const names = CHANNEL_NAMES[space.id];
  const channelItems = names.map((n, i) => ({ label: n, description: `channel ${i}`, picked: current.channels.includes(i), i }));
  const channels = await vscode.window.showQuickPick(channelItems, {
    title: title(2),
    placeHolder: 'Channels to cluster on (at least one)',
    canPickMany: true,
  });
  if (!channels) return undefined;
  const chosen = channels.length ? channels.map((c) => c.i).sort() : [0, 1, 2];
  const k = await vscode.window.showInputBox({
    title: title(3),
    prompt: 'Number of clusters',
    value: String(current.k),
    validateInput: (t) => wholeNumberProblem(t, 'k'),
  });
  if (k === undefined) return undefined;
  const width = await vscode.window.showInputBox({
    title: title(4),
    prompt: 'Resize to this width before clustering (0 = original size)',
    value: String(current.width),
    validateInput: (t) => wholeNumberProblem(t, 'width'),
  });
  if (width === undefined) return undefined;
  const format = await vscode.window.showQuickPick(
    OUTPUT_FORMATS.map((f) => ({ label: f.toUpperCase(), f, picked: f === current.format })),
    { title: title(5), placeHolder: `Output format (now ${current.format.toUpperCase()})` },
  );
  if (!format) return undefined;
  return { ...current, colorSpace: space.id, channels: chosen, k: Number(k.trim()), width: Number(width.trim()), format: format.f };
}

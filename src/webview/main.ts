// The panel's script: wires the form to the host and draws what the host sends. Every edit
// re-runs after a short pause; each run has a larger request id and the host cancels older
// ones, and here anything but the latest answer is ignored, so the picture always matches the
// form. Pictures come as PNG bytes at display size and are decoded off the main thread
// (createImageBitmap), so the page stays responsive whatever the image's size.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { LAYOUT_IDS, type LayoutId } from '../shared/geometry';
import { viewLabel, type ExportWhat, type HostMessage, type OriginalMessage, type Picture, type ResultMessage, type ResultModeId, type ResultView, type SweepAxisId, type TilePart, type WebviewMessage } from '../shared/protocol';
import { Controls } from './controls';
import { ExploreView, withSetting } from './explore';
import { Insight } from './insight/insight';
import { Viewer, type DetailRequest, type Zoom } from './viewer';
import { readPanelParams, type PanelParams } from '../shared/params';

provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeTextField(),
);

interface SavedState {
  params?: PanelParams;
  advancedOpen?: boolean;
  zoom?: Zoom;
  mode?: ResultModeId;
  white?: boolean;
  layout?: LayoutId;
  swipe?: number;
  exploreAxis?: SweepAxisId;
  exploreStyle?: 'mean' | 'gray';
}

declare function acquireVsCodeApi(): {
  postMessage(msg: WebviewMessage): void;
  getState(): SavedState | undefined;
  setState(s: SavedState): void;
};

/**
 * A pause in typing a number that may still take more digits, before it runs (a dropdown, a
 * checkbox or a number no further digit could keep in range runs at once).
 */
const TYPING_PAUSE_MS = 100;
/** The long side of the display pictures: what a panel shows at fit, times the screen's density. */
const DISPLAY_MAX = Math.round(Math.min(2048, Math.max(512, 1024 * (window.devicePixelRatio || 1))));

const vscode = acquireVsCodeApi();
const state: SavedState = { ...(vscode.getState() ?? {}) };
const el = (id: string): HTMLElement => document.getElementById(id)!;
const controls = new Controls();
const errorBox = el('error');
const progress = el('progress');
const status = el('status');
const runStatus = el('runStatus');
const warningsList = el('warnings');
const canvas = el('composite') as HTMLCanvasElement;
const resultButtons = ['save', 'exportLabels', 'exportPalette'].map((id) => el(id) as HTMLButtonElement);

let nextRequestId = 1;
const nextId = (): number => nextRequestId++;
/** The run whose answers will be drawn; answers to older runs are dropped. */
let latestRun = 0;
let lastSent = '';
let defaults: PanelParams | undefined;
let debounce: ReturnType<typeof setTimeout> | undefined;
let inputError: string | undefined;
let latestParams: PanelParams | undefined;
/** Results arrive in order; each is drawn only if no later one has been drawn yet. */
let arrivals = 0;
let drawn = 0;
/** The result on show. */
let current: { id: number; preview: boolean; thumbnail?: boolean; width: number; height: number; original?: ImageBitmap; right?: ImageBitmap } | undefined;
/** Originals by imageId (decoding or decoded); only the newest few are kept. */
const originals = new Map<string, Promise<ImageBitmap>>();
/** The newest view asked of the host, and one waiting while it is answered. */
let viewInFlight: number | undefined;
let viewWaiting: { view: ResultView; highlight?: number } | undefined;
let viewAsked: { view: ResultView; highlight?: number } = { view: { mode: 'gray', selected: [], white: false } };
/** The newest tile asked for each part. */
const tilesAsked = new Map<TilePart, number>();

/**
 * When each message arrived (the newest 200): the end-to-end measurements read it to tell where
 * the time goes between the host and the panel.
 */
const trace: Array<{ t: number; type: string; detail?: string }> = [];
(window as unknown as { kmeansTrace: typeof trace }).kmeansTrace = trace;

function decode(picture: Picture): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([picture.png], { type: 'image/png' }));
}

const viewer = new Viewer({
  zoomChanged: (zoom) => persist({ zoom }),
  layoutChanged: (layout, swipe) => persist({ layout, swipe }),
  wantDetail: (requests) => askDetail(requests),
  pointAt: (at) => insight.pointAt(at),
});

const insight = new Insight(
  {
    post: (msg) => vscode.postMessage(msg),
    nextId,
    showView: (view, highlight) => askView(view, highlight),
    pickK: (k) => {
      const r = controls.read();
      if (!r.ok || r.params.k === k) return;
      controls.write({ ...r.params, k });
      run();
    },
    persist: (v) => persist(v),
  },
  { mode: state.mode, white: state.white },
);

const explore = new ExploreView(
  {
    request: (axis) => {
      const r = controls.read();
      const requestId = nextId();
      if (r.ok) vscode.postMessage({ type: 'sweep', requestId, params: r.params, axis });
      return requestId;
    },
    apply: (setting) => {
      const r = controls.read();
      if (!r.ok) return;
      controls.write(withSetting(r.params, setting));
      run();
    },
    persist: (s) => persist({ exploreAxis: s.axis, exploreStyle: s.style }),
  },
  { axis: state.exploreAxis, style: state.exploreStyle },
);

function persist(patch: Partial<SavedState>): void {
  Object.assign(state, patch);
  vscode.setState(state);
}

type BodyState = 'loading' | 'running' | 'preview' | 'ready' | 'error';

function setBodyState(s: BodyState): void {
  document.body.dataset.state = s;
  progress.hidden = s !== 'running' && s !== 'loading' && s !== 'preview';
  // Saving and exporting need a full-size result of the parameters shown.
  for (const b of resultButtons) b.disabled = s !== 'ready';
}

/** The status of a preview clustered from the photo's embedded thumbnail. */
const THUMBNAIL_PREVIEW = 'Preview from the photo\'s embedded thumbnail';

function setRunStatus(text: string, stage?: string): void {
  runStatus.textContent = text;
  if (stage) runStatus.dataset.stage = stage;
  else delete runStatus.dataset.stage;
}

/**
 * The status line below the buttons. A save's report ("Saved x.png") is about the picture shown
 * when it was asked: it goes once a run for other settings replaces that picture.
 */
function setStatus(text: string, about: 'save' | 'file'): void {
  status.textContent = text;
  status.dataset.about = about;
}

function showError(message: string | undefined): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = !message;
}

function run(force = false): void {
  clearTimeout(debounce);
  debounce = undefined;
  const r = controls.read();
  if (!r.ok) {
    inputError = r.message;
    showError(r.message);
    return;
  }
  if (inputError) {
    inputError = undefined;
    showError(undefined);
  }
  persist({ params: r.params });
  // Only the format changed (or an echo of the same values): nothing to recompute.
  const key = JSON.stringify({ ...r.params, format: undefined });
  if (!force && key === lastSent) return;
  lastSent = key;
  if (status.dataset.about === 'save') setStatus('', 'file');
  latestRun = nextId();
  latestParams = r.params;
  const view = insight.viewForRun(r.params);
  viewAsked = { view };
  setBodyState('running');
  setRunStatus('Starting…', 'starting');
  trace.push({ t: performance.now(), type: 'run-sent' });
  vscode.postMessage({ type: 'run', requestId: latestRun, params: r.params, view });
  // Explore on show follows the parameters (its k, its width, or its space and channels).
  explore.refresh();
}

function scheduleRun(typing: boolean): void {
  clearTimeout(debounce);
  if (typing) debounce = setTimeout(() => run(), TYPING_PAUSE_MS);
  else run();
}

/** Asks the host for the right half in another view; one request at a time, the newest waiting. */
function askView(view: ResultView, highlight: number | undefined): void {
  viewAsked = { view, highlight };
  if (viewInFlight !== undefined) {
    viewWaiting = viewAsked;
    markViewPending();
    return;
  }
  sendView(view, highlight);
}

function sendView(view: ResultView, highlight: number | undefined): void {
  viewInFlight = nextId();
  const msg: WebviewMessage = { type: 'view', requestId: viewInFlight, view };
  if (highlight !== undefined) msg.highlight = highlight;
  vscode.postMessage(msg);
  markViewPending();
}

/** `#composite[data-view-pending]` while a view is asked and not drawn: the picture is about to change. */
function markViewPending(): void {
  if (viewInFlight !== undefined || viewWaiting) canvas.dataset.viewPending = 'true';
  else delete canvas.dataset.viewPending;
}

function askDetail(requests: DetailRequest[]): void {
  tilesAsked.clear();
  if (!current || current.preview) return;
  for (const r of requests) {
    const requestId = nextId();
    tilesAsked.set(r.part, requestId);
    const msg: WebviewMessage = { type: 'tile', requestId, resultId: current.id, part: r.part, rect: r.rect, scale: r.scale, view: viewAsked.view };
    if (viewAsked.highlight !== undefined) msg.highlight = viewAsked.highlight;
    vscode.postMessage(msg);
  }
}

function formatInertia(v: number): string {
  return v >= 1e6 ? v.toExponential(4) : v.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function onOriginal(msg: OriginalMessage): void {
  originals.set(msg.imageId, decode(msg.picture));
  for (const id of originals.keys()) if (originals.size > 2 && id !== msg.imageId) originals.delete(id);
  // Show the image at once, before any result (a large photo takes seconds to cluster).
  void originals.get(msg.imageId)!.then((bitmap) => {
    if (current || drawn > 0) return;
    viewer.show({ width: msg.width, height: msg.height, original: bitmap, right: undefined }, false);
    trace.push({ t: performance.now(), type: 'drawn', detail: 'original' });
  });
}

async function onResult(msg: ResultMessage): Promise<void> {
  if (msg.requestId !== latestRun || !latestParams) return;
  const params = latestParams;
  const seq = ++arrivals;
  const [original, right] = await Promise.all([originals.get(msg.imageId), decode(msg.right)]);
  if (seq < drawn || msg.requestId !== latestRun) return;
  drawn = seq;
  current = { id: msg.resultId, preview: msg.preview, thumbnail: msg.thumbnail, width: msg.width, height: msg.height, original, right };
  tilesAsked.clear();
  viewer.show({ width: msg.width, height: msg.height, original, right }, !msg.preview);
  trace.push({ t: performance.now(), type: 'drawn', detail: msg.preview ? 'preview' : 'final' });
  canvas.dataset.view = msg.label;
  canvas.dataset.preview = String(msg.preview);
  canvas.dataset.thumbnail = String(msg.thumbnail === true);
  insight.setResult(msg, params);
  el('inertia').textContent = msg.preview ? `${formatInertia(msg.inertia)} (preview)` : formatInertia(msg.inertia);
  el('sizes').textContent = msg.sizes.map((s) => `${s.toFixed(1)}%`).join(' · ');
  el('time').textContent = formatMs(msg.timeMs);
  warningsList.replaceChildren(
    ...msg.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }),
  );
  warningsList.hidden = msg.warnings.length === 0;
  showError(inputError);
  if (msg.preview) {
    setBodyState('preview');
    setRunStatus(msg.thumbnail ? `${THUMBNAIL_PREVIEW}; decoding the photo…` : `Preview from a reduced copy (${formatMs(msg.timeMs)}); clustering the full image…`, 'preview');
  } else {
    setBodyState(inputError ? 'error' : 'ready');
    setRunStatus(`Full size, ${msg.width}×${msg.height}: ${formatMs(msg.timeMs)}`, 'ready');
  }
  // The host answers views of the result it shows and drops those of a result it no longer shows
  // (and of none, before the first): a view still asked is asked again of this one, which the host
  // drew in the last view it had been sent. A hover is never part of a result.
  const asked = viewAsked;
  viewInFlight = undefined;
  viewWaiting = undefined;
  markViewPending();
  if (asked.highlight !== undefined || msg.label !== viewLabel(insight.view())) askView(insight.view(), asked.highlight);
}

async function onRight(msg: Extract<HostMessage, { type: 'right' }>): Promise<void> {
  if (msg.requestId !== viewInFlight) return;
  const bitmap = current && msg.resultId === current.id ? await decode(msg.picture) : undefined;
  viewInFlight = undefined;
  if (bitmap && current && msg.resultId === current.id) {
    current.right = bitmap;
    viewer.replaceRight(bitmap);
    canvas.dataset.view = msg.label;
  }
  const waiting = viewWaiting;
  viewWaiting = undefined;
  if (waiting) sendView(waiting.view, waiting.highlight);
  else markViewPending();
}

async function onTile(msg: Extract<HostMessage, { type: 'tile' }>): Promise<void> {
  if (tilesAsked.get(msg.part) !== msg.requestId || !current || msg.resultId !== current.id) return;
  const [original, right] = await Promise.all([msg.original && decode(msg.original), msg.right && decode(msg.right)]);
  if (tilesAsked.get(msg.part) !== msg.requestId) return;
  viewer.addTile(msg.part, msg.rect, msg.scale, original, right);
}

function failed(message: string): void {
  showError(message);
  setBodyState('error');
  setRunStatus('');
  current = undefined;
  viewer.clear();
  insight.clear();
  // The same parameters may work after the file is fixed: let them be sent again.
  lastSent = '';
}

function onMessage(msg: HostMessage): void {
  switch (msg.type) {
    case 'init': {
      defaults = msg.defaults;
      document.title = `K-means Segmentation: ${msg.fileName}`;
      el('fileName').textContent = msg.fileName;
      const remembered = state.params ? readPanelParams(state.params) : undefined;
      controls.write(remembered?.ok ? remembered.value : msg.params);
      run(true);
      return;
    }
    case 'defaults':
      defaults = msg.defaults;
      return;
    case 'progress':
      // a preview of the thumbnail is up while the photo decodes: what is under way is said beside it
      if (msg.requestId === latestRun && current?.thumbnail && document.body.dataset.state === 'preview') setRunStatus(`${THUMBNAIL_PREVIEW} · ${msg.message}`, msg.stage);
      else if (msg.requestId === latestRun && document.body.dataset.state !== 'preview') setRunStatus(msg.message, msg.stage);
      return;
    case 'original':
      onOriginal(msg);
      return;
    case 'result':
      void onResult(msg).catch(report);
      return;
    case 'right':
      void onRight(msg).catch(report);
      return;
    case 'tile':
      void onTile(msg).catch(report);
      return;
    case 'insight':
      insight.onInsight(msg);
      return;
    case 'pixel':
      insight.onPixel(msg);
      return;
    case 'sweepItem':
      explore.onItem(msg);
      return;
    case 'sweepDone':
      explore.onDone(msg);
      return;
    case 'error':
      if (msg.requestId !== null && msg.requestId !== latestRun) return;
      failed(msg.message);
      insight.invalidateElbow();
      return;
    case 'saved':
      setStatus(msg.name ? `Saved ${msg.name}` : `Not saved: ${msg.error ?? 'unknown error'}`, 'save');
      (el('save') as HTMLButtonElement).disabled = document.body.dataset.state !== 'ready';
      return;
    case 'fileChanged':
      setStatus(msg.message, 'file');
      insight.invalidateElbow();
      run(true);
      explore.refresh();
      return;
    case 'elbow':
      insight.onElbow(msg);
      return;
    case 'exported': {
      const what = msg.what === 'labels' ? 'label image' : 'palette';
      setStatus(msg.name ? `Saved ${msg.name}` : `Not saved (${what}): ${msg.error ?? 'unknown error'}`, 'save');
      (el(msg.what === 'labels' ? 'exportLabels' : 'exportPalette') as HTMLButtonElement).disabled = document.body.dataset.state !== 'ready';
      return;
    }
    case 'fileDeleted':
      setStatus(msg.message, 'file');
      failed(msg.message);
      return;
  }
}

function report(e: unknown): void {
  showError(`Panel error: ${e instanceof Error ? e.message : String(e)}`);
  setBodyState('error');
}

controls.listen((source) => {
  trace.push({ t: performance.now(), type: 'edit' });
  // The format only matters when saving; no re-run for it.
  if (source === controls.format) {
    const r = controls.read();
    if (r.ok) persist({ params: r.params });
    return;
  }
  scheduleRun(controls.waitsForTyping(source));
});

el('save').addEventListener('click', () => {
  const r = controls.read();
  if (!r.ok) {
    showError(r.message);
    return;
  }
  (el('save') as HTMLButtonElement).disabled = true;
  setStatus('Saving…', 'save');
  vscode.postMessage({ type: 'save', requestId: nextId(), params: r.params, view: insight.view() });
});

function exportResult(what: ExportWhat, buttonId: string): void {
  const r = controls.read();
  if (!r.ok) {
    showError(r.message);
    return;
  }
  (el(buttonId) as HTMLButtonElement).disabled = true;
  setStatus('Saving…', 'save');
  vscode.postMessage({ type: 'export', requestId: nextId(), params: r.params, what });
}
el('exportLabels').addEventListener('click', () => exportResult('labels', 'exportLabels'));
el('exportPalette').addEventListener('click', () => exportResult('palette', 'exportPalette'));

el('copyCommand').addEventListener('click', () => {
  const r = controls.read();
  if (r.ok) vscode.postMessage({ type: 'copyCommand', params: r.params, view: insight.view() });
});
el('batchWith').addEventListener('click', () => {
  const r = controls.read();
  if (r.ok) vscode.postMessage({ type: 'batch', params: r.params });
});

el('reset').addEventListener('click', () => {
  if (!defaults) return;
  controls.write(defaults);
  run();
});

const advancedToggle = el('advanced');
const advancedSection = el('advancedSection');
function setAdvanced(open: boolean): void {
  advancedToggle.setAttribute('aria-expanded', String(open));
  advancedSection.hidden = !open;
}
advancedToggle.addEventListener('click', () => {
  const open = advancedSection.hidden;
  setAdvanced(open);
  persist({ advancedOpen: open });
});
setAdvanced(state.advancedOpen ?? false);

const layoutSelect = el('layout') as HTMLElement & { value: string };
layoutSelect.addEventListener('change', () => {
  const v = layoutSelect.value as LayoutId;
  if (LAYOUT_IDS.includes(v) && v !== viewer.currentLayout) viewer.setLayout(v);
});
const savedLayout = state.layout && LAYOUT_IDS.includes(state.layout) ? state.layout : 'side';
layoutSelect.value = savedLayout;
viewer.setLayout(savedLayout, typeof state.swipe === 'number' ? state.swipe : 0.5);

el('zoomFit').addEventListener('click', () => viewer.setZoom('fit'));
el('zoom100').addEventListener('click', () => viewer.setZoom(1));
if (state.zoom !== undefined) viewer.setZoom(state.zoom);

window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const m = ev.data;
  trace.push({ t: performance.now(), type: m.type, detail: m.type === 'progress' ? m.stage : m.type === 'result' ? (m.preview ? (m.thumbnail ? 'thumbnail preview' : 'preview') : 'final') : undefined });
  if (trace.length > 200) trace.shift();
  try {
    onMessage(ev.data);
  } catch (e) {
    report(e);
  }
});

setBodyState('loading');
vscode.postMessage({ type: 'ready', displayMax: DISPLAY_MAX });

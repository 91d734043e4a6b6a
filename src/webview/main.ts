// The panel's script: wires the form to the host. Every edit re-runs after a short pause; each
// run has a larger request id and the host cancels older ones, and here anything but the latest
// answer is ignored, so the picture always matches the form.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import {
  checkPanelParams,
  type ExportWhat,
  type HostMessage,
  type PanelParams,
  type ResultModeId,
  type WebviewMessage,
} from '../shared/protocol';
import { Controls } from './controls';
import { Insight } from './insight/insight';
import { Viewer, type Zoom } from './viewer';

provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeProgressRing(),
  vsCodeTextField(),
);

interface SavedState {
  params?: PanelParams;
  advancedOpen?: boolean;
  zoom?: Zoom;
  mode?: ResultModeId;
  white?: boolean;
}

declare function acquireVsCodeApi(): {
  postMessage(msg: WebviewMessage): void;
  getState(): SavedState | undefined;
  setState(s: SavedState): void;
};

const DEBOUNCE_MS = 150;

const vscode = acquireVsCodeApi();
const state: SavedState = { ...(vscode.getState() ?? {}) };
const controls = new Controls();
const viewer = new Viewer((zoom) => persist({ zoom }));
const el = (id: string): HTMLElement => document.getElementById(id)!;
const errorBox = el('error');
const progress = el('progress');
const status = el('status');
const warningsList = el('warnings');

let nextId = 1;
/** The run whose answer will be drawn; answers to older runs are dropped. */
let latestRun = 0;
let lastSent = '';
let defaults: PanelParams | undefined;
let debounce: ReturnType<typeof setTimeout> | undefined;
let inputError: string | undefined;
/** The parameters of each run sent, by request id (only the latest is kept). */
let latestParams: PanelParams | undefined;

const insight = new Insight(
  {
    post: (msg) => vscode.postMessage(msg),
    redraw: (w, h, rgba) => viewer.redraw(w, h, rgba),
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

function persist(patch: Partial<SavedState>): void {
  Object.assign(state, patch);
  vscode.setState(state);
}

function setBodyState(s: 'loading' | 'running' | 'ready' | 'error'): void {
  document.body.dataset.state = s;
  progress.hidden = s !== 'running' && s !== 'loading';
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
  latestRun = nextId++;
  latestParams = r.params;
  setBodyState('running');
  vscode.postMessage({ type: 'run', requestId: latestRun, params: r.params });
}

function scheduleRun(): void {
  clearTimeout(debounce);
  debounce = setTimeout(() => run(), DEBOUNCE_MS);
}

function formatInertia(v: number): string {
  return v >= 1e6 ? v.toExponential(4) : v.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

function onMessage(msg: HostMessage): void {
  switch (msg.type) {
    case 'init': {
      defaults = msg.defaults;
      document.title = `K-means Segmentation: ${msg.fileName}`;
      el('fileName').textContent = msg.fileName;
      const remembered = state.params ? checkPanelParams(state.params) : undefined;
      controls.write(remembered?.ok ? remembered.value : msg.params);
      run(true);
      return;
    }
    case 'defaults':
      defaults = msg.defaults;
      return;
    case 'result': {
      if (msg.requestId !== latestRun || !latestParams) return;
      viewer.draw(msg.width, msg.height, insight.setResult(msg, latestParams));
      el('inertia').textContent = formatInertia(msg.inertia);
      el('sizes').textContent = msg.sizes.map((s) => `${s.toFixed(1)}%`).join(' · ');
      el('time').textContent = `${Math.round(msg.timeMs)} ms`;
      warningsList.replaceChildren(
        ...msg.warnings.map((w) => {
          const li = document.createElement('li');
          li.textContent = w;
          return li;
        }),
      );
      warningsList.hidden = msg.warnings.length === 0;
      showError(inputError);
      setBodyState(inputError ? 'error' : 'ready');
      return;
    }
    case 'error':
      if (msg.requestId !== null && msg.requestId !== latestRun) return;
      showError(msg.message);
      setBodyState('error');
      // The same parameters may work after the file is fixed: let them be sent again.
      lastSent = '';
      insight.clear();
      insight.invalidateElbow();
      return;
    case 'saved':
      status.textContent = msg.name ? `Saved ${msg.name}` : `Not saved: ${msg.error ?? 'unknown error'}`;
      (el('save') as HTMLButtonElement).disabled = false;
      return;
    case 'fileChanged':
      status.textContent = msg.message;
      insight.invalidateElbow();
      run(true);
      return;
    case 'elbow':
      insight.onElbow(msg);
      return;
    case 'exported': {
      const what = msg.what === 'labels' ? 'label image' : 'palette';
      status.textContent = msg.name ? `Saved ${msg.name}` : `Not saved (${what}): ${msg.error ?? 'unknown error'}`;
      (el(msg.what === 'labels' ? 'exportLabels' : 'exportPalette') as HTMLButtonElement).disabled = false;
      return;
    }
    case 'fileDeleted':
      status.textContent = msg.message;
      showError(msg.message);
      setBodyState('error');
      lastSent = '';
      return;
  }
}

controls.listen((source) => {
  // The format only matters when saving; no re-run for it.
  if (source === controls.format) {
    const r = controls.read();
    if (r.ok) persist({ params: r.params });
    return;
  }
  scheduleRun();
});

el('save').addEventListener('click', () => {
  const r = controls.read();
  if (!r.ok) {
    showError(r.message);
    return;
  }
  (el('save') as HTMLButtonElement).disabled = true;
  status.textContent = 'Saving…';
  vscode.postMessage({ type: 'save', requestId: nextId++, params: r.params, view: insight.view() });
});

function exportResult(what: ExportWhat, buttonId: string): void {
  const r = controls.read();
  if (!r.ok) {
    showError(r.message);
    return;
  }
  (el(buttonId) as HTMLButtonElement).disabled = true;
  status.textContent = 'Saving…';
  vscode.postMessage({ type: 'export', requestId: nextId++, params: r.params, what });
}
el('exportLabels').addEventListener('click', () => exportResult('labels', 'exportLabels'));
el('exportPalette').addEventListener('click', () => exportResult('palette', 'exportPalette'));

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

el('zoomFit').addEventListener('click', () => viewer.setZoom('fit'));
el('zoom100').addEventListener('click', () => viewer.setZoom(1));
if (state.zoom !== undefined) viewer.setZoom(state.zoom);

window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  try {
    onMessage(ev.data);
  } catch (e) {
    showError(`Panel error: ${e instanceof Error ? e.message : String(e)}`);
    setBodyState('error');
  }
});

setBodyState('loading');
vscode.postMessage({ type: 'ready' });

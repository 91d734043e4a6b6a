// The panel's HTML: a pure function of a few strings so its Content Security Policy and its
// escaping are unit-tested without VS Code. The only script is the bundled webview.js, allowed
// by a per-load nonce; no inline script, no inline style attribute, nothing remote.
import { CHANNEL_NAMES, PANEL_LIMITS, type NumericParam } from '../../shared/params';

export interface WebviewHtmlInput {
  /** webview.cspSource */
  cspSource: string;
  /** A fresh random token for this load (see makeNonce). */
  nonce: string;
  /** webview.asWebviewUri of dist/webview.js and media/panel.css. */
  scriptUri: string;
  styleUri: string;
  /** The image's file name: text only. */
  fileName: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** 32 random alphanumerics from a source of random bytes (crypto.getRandomValues in practice). */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => chars[b % chars.length]).join('');
}

/** For double-quoted attribute values that legitimately hold single quotes (the CSP's 'none'). */
function escapeDoubleQuotedAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    // The toolkit probes :focus-visible support with a <style> element carrying the page's
    // nonce (read from the csp-nonce meta tag): that element, and nothing inline, is allowed.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function numberField(id: string, limit: NumericParam, label: string, hint: string): string {
  const { min, max } = PANEL_LIMITS[limit];
  return `<vscode-text-field id="${id}" type="number" min="${min}" max="${max}" step="1" aria-describedby="${id}-hint">${label}</vscode-text-field>
        <span class="hint" id="${id}-hint">${hint}</span>`;
}

export function webviewHtml(input: WebviewHtmlInput): string {
  const csp = escapeDoubleQuotedAttr(contentSecurityPolicy(input.cspSource, input.nonce));
  const name = escapeHtml(input.fileName);
  const nonce = escapeHtml(input.nonce);
  const [c0, c1, c2] = CHANNEL_NAMES.bgr;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta property="csp-nonce" content="${nonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
  <title>K-means Segmentation: ${name}</title>
</head>
<body data-state="loading">
  <main class="layout">
    <form class="controls" id="controls" aria-label="Segmentation parameters" novalidate>
      <h1 class="file-name" id="fileName" title="${name}">${name}</h1>
      <label class="field-label" for="colorSpace">Colour space</label>
      <vscode-dropdown id="colorSpace" aria-label="Colour space">
        <vscode-option value="bgr">BGR</vscode-option>
        <vscode-option value="hsv">HSV</vscode-option>
        <vscode-option value="lab">Lab</vscode-option>
        <vscode-option value="ycrcb">YCrCb</vscode-option>
      </vscode-dropdown>
      <fieldset class="channels">
        <legend>Channels</legend>
        <vscode-checkbox id="channel-0" checked>${c0}</vscode-checkbox>
        <vscode-checkbox id="channel-1" checked>${c1}</vscode-checkbox>
        <vscode-checkbox id="channel-2" checked>${c2}</vscode-checkbox>
      </fieldset>
      ${numberField('clusters', 'k', 'Clusters', `${PANEL_LIMITS.k.min} to ${PANEL_LIMITS.k.max}`)}
      ${numberField('width', 'width', 'Width (px)', '0 = original size')}
      <button type="button" class="advanced-toggle" id="advanced" aria-expanded="false" aria-controls="advancedSection">Advanced</button>
      <div class="advanced" id="advancedSection" hidden>
        ${numberField('nInit', 'nInit', 'Restarts', 'K-means runs; the best is kept')}
        ${numberField('maxIter', 'maxIter', 'Max iterations', 'per restart')}
        ${numberField('seed', 'seed', 'Seed', 'same seed, same picture')}
      </div>
      <label class="field-label" for="format">Output format</label>
      <vscode-dropdown id="format" aria-label="Output format">
        <vscode-option value="png">PNG</vscode-option>
        <vscode-option value="jpg">JPEG</vscode-option>
        <vscode-option value="bmp">BMP</vscode-option>
        <vscode-option value="webp">WebP (lossless)</vscode-option>
        <vscode-option value="tiff">TIFF</vscode-option>
      </vscode-dropdown>
      <div class="buttons">
        <vscode-button id="save" appearance="primary">Save beside image</vscode-button>
        <vscode-button id="reset" appearance="secondary">Reset</vscode-button>
      </div>
      <div class="buttons more">
        <vscode-button id="copyCommand" appearance="secondary" title="Copy the kmeans-segment command line that makes this result">Copy command</vscode-button>
        <vscode-button id="batchWith" appearance="secondary" title="Segment a folder of images with these parameters">Batch…</vscode-button>
      </div>
      <p class="status" id="status" role="status" aria-live="polite"></p>
    </form>
    <section class="view" aria-label="Composite: original and segmented image">
      <div class="toolbar" role="toolbar" aria-label="View">
        <vscode-button id="zoomFit" appearance="icon" aria-label="Fit to panel" title="Fit to panel">Fit</vscode-button>
        <vscode-button id="zoom100" appearance="icon" aria-label="Actual size (100%)" title="Actual size (100%)">100%</vscode-button>
        <span id="zoomLevel" class="zoom-level" aria-live="polite"></span>
        <vscode-dropdown id="layout" aria-label="Layout" title="How the original and the clusters are laid out">
          <vscode-option value="side">Side by side</vscode-option>
          <vscode-option value="stacked">Stacked</vscode-option>
          <vscode-option value="swipe">Swipe</vscode-option>
        </vscode-dropdown>
        <vscode-button id="exploreToggle" appearance="secondary" aria-pressed="false" title="Every colour space and channel subset (or every k) side by side">Explore</vscode-button>
        <span id="progress" class="busy" role="progressbar" aria-label="Segmenting" hidden></span>
        <span id="runStatus" class="run-status" role="status" aria-live="polite"></span>
      </div>
      <div class="error" id="error" role="alert" hidden></div>
      <div class="stage" id="stage" tabindex="0" aria-label="Composite image; use + and - to zoom, 0 to fit, 1 for 100%">
        <div class="canvas-wrap" id="canvasWrap">
          <canvas id="composite" data-width="0" data-height="0" data-run="0" role="img" aria-label="Original and segmented image"></canvas>
          <canvas id="detail" hidden aria-hidden="true"></canvas>
          <div class="swipe-handle" id="swipeHandle" hidden title="Drag to compare"></div>
        </div>
      </div>
      <section class="explore" id="explore" aria-label="Explore: settings side by side" data-state="idle">
        <div class="explore-head">
          <vscode-dropdown id="exploreAxis" aria-label="What to vary">
            <vscode-option value="channels">Colour spaces and channels</vscode-option>
            <vscode-option value="k">Number of clusters</vscode-option>
          </vscode-dropdown>
          <vscode-dropdown id="exploreStyle" aria-label="Thumbnails show">
            <vscode-option value="mean">Mean colours</vscode-option>
            <vscode-option value="gray">Gray levels</vscode-option>
          </vscode-dropdown>
          <span class="explore-status" id="exploreStatus" role="status" aria-live="polite"></span>
        </div>
        <p class="hint">κ: how much more often neighbouring pixels share a cluster than chance would have them (1 = clean regions, 0 = speckle). Click a thumbnail to use its setting.</p>
        <div class="explore-grid" id="exploreGrid"></div>
      </section>
      <dl class="stats" id="stats">
        <dt>Inertia</dt><dd id="inertia">–</dd>
        <dt>Cluster sizes</dt><dd id="sizes">–</dd>
        <dt>Time</dt><dd id="time">–</dd>
      </dl>
      <ul class="warnings" id="warnings" hidden></ul>
    </section>
    <aside class="insight" id="insight" aria-label="Why the clusters fall where they do">
      <section class="card" aria-labelledby="paletteTitle">
        <div class="card-head">
          <h2 id="paletteTitle">Clusters</h2>
          <vscode-dropdown id="mode" aria-label="The result shows" title="What the right-hand image shows">
            <vscode-option value="gray">Gray levels</vscode-option>
            <vscode-option value="mean">Mean colour</vscode-option>
            <vscode-option value="mask">Selection</vscode-option>
            <vscode-option value="boundaries">Boundaries</vscode-option>
          </vscode-dropdown>
        </div>
        <div class="palette" id="palette" role="group" aria-label="Clusters: hover to highlight, click to select"></div>
        <vscode-checkbox id="maskWhite" hidden>White mask</vscode-checkbox>
        <p class="hint" id="paletteHint"></p>
        <div class="buttons export">
          <vscode-button id="exportLabels" appearance="secondary" title="Save the label image (gray PNG) beside the image">Labels PNG</vscode-button>
          <vscode-button id="exportPalette" appearance="secondary" title="Save centres, mean colours and sizes (JSON) beside the image">Palette JSON</vscode-button>
        </div>
      </section>
      <section class="card" aria-labelledby="elbowTitle">
        <h2 id="elbowTitle">Choose k</h2>
        <div class="elbow-plot" id="elbow" data-state="idle"></div>
        <p class="hint" id="elbowCaption"></p>
      </section>
      <section class="card" aria-labelledby="splitTitle">
        <h2 id="splitTitle">Where the clusters split</h2>
        <div class="split" id="split"><canvas id="splitCanvas" width="0" height="0" role="img" aria-label="Channel values by cluster"></canvas></div>
        <p class="hint" id="splitCaption"></p>
      </section>
      <section class="card" aria-labelledby="planesTitle">
        <h2 id="planesTitle">Channels</h2>
        <div class="planes" id="planes"></div>
      </section>
      <section class="card" aria-labelledby="inspectorTitle">
        <h2 id="inspectorTitle">Pixel</h2>
        <div class="inspector" id="inspector"></div>
      </section>
    </aside>
  </main>
  <script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}

// The elbow plot: inertia for each k as an SVG line with one point per k ([data-k]); the elbow
// point has class `elbow`, the current k class `current`. Clicking a point picks that k.
import { svgEl } from './svg';

export interface ElbowPoint {
  k: number;
  inertia: number;
}

const W = 260;
const H = 110;
const PAD = { left: 10, right: 12, top: 14, bottom: 22 };

export class ElbowPlot {
  private readonly root: HTMLElement;
  private readonly caption: HTMLElement;
  private points: ElbowPoint[] = [];
  private elbow: number | undefined;
  private current: number | undefined;

  constructor(private readonly onPick: (k: number) => void) {
    this.root = document.getElementById('elbow')!;
    this.caption = document.getElementById('elbowCaption')!;
  }

  pending(): void {
    this.root.dataset.state = 'computing';
    this.caption.textContent = 'Computing inertia for k = 2 to 10…';
  }

  failed(message: string): void {
    this.points = [];
    this.root.dataset.state = 'error';
    this.root.replaceChildren();
    this.caption.textContent = `No elbow curve: ${message}`;
  }

  show(points: ElbowPoint[], elbowK: number, width: number | undefined, resultWidth: number): void {
    this.points = points;
    this.elbow = elbowK;
    this.root.dataset.state = 'ready';
    const at = width && width !== resultWidth ? ` (computed at width ${width})` : '';
    this.caption.textContent = `Elbow at k = ${elbowK}${at}. Click a point to use that k.`;
    this.draw();
  }

  setCurrent(k: number): void {
    this.current = k;
    for (const g of this.root.querySelectorAll<SVGGElement>('[data-k]')) {
      g.classList.toggle('current', Number(g.dataset.k) === k);
      g.setAttribute('aria-pressed', String(Number(g.dataset.k) === k));
    }
  }

  private draw(): void {
    const pts = this.points;
    if (pts.length === 0) {
      this.root.replaceChildren();
      return;
    }
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': 'Inertia for each number of clusters' });
    const kMin = pts[0]!.k;
    const kMax = pts[pts.length - 1]!.k;
    const top = Math.max(...pts.map((p) => p.inertia)) || 1;
    const x = (k: number): number =>
      PAD.left + (kMax === kMin ? 0.5 : (k - kMin) / (kMax - kMin)) * (W - PAD.left - PAD.right);
    const y = (v: number): number => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
    svgEl('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }, svg);
    svgEl('polyline', { class: 'curve', points: pts.map((p) => `${x(p.k)},${y(p.inertia)}`).join(' ') }, svg);
    for (const p of pts) {
      const g = svgEl('g', { class: 'point', 'data-k': p.k, tabindex: 0, role: 'button' }, svg);
      g.setAttribute('aria-label', `k = ${p.k}, inertia ${p.inertia.toExponential(3)}`);
      if (p.k === this.elbow) g.classList.add('elbow');
      svgEl('title', {}, g).textContent = `k = ${p.k}: inertia ${formatInertia(p.inertia)}${p.k === this.elbow ? ' (elbow)' : ''}`;
      // A wide transparent target: the visible dot alone is hard to hit.
      svgEl('rect', { class: 'hit', x: x(p.k) - 11, y: PAD.top - 8, width: 22, height: H - PAD.top }, g);
      if (p.k === this.elbow) svgEl('circle', { class: 'ring', cx: x(p.k), cy: y(p.inertia), r: 7 }, g);
      svgEl('circle', { class: 'dot', cx: x(p.k), cy: y(p.inertia), r: 3.5 }, g);
      svgEl('text', { class: 'tick', x: x(p.k), y: H - 7 }, g).textContent = String(p.k);
      g.addEventListener('click', () => this.onPick(p.k));
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.onPick(p.k);
        }
      });
    }
    this.root.replaceChildren(svg);
    if (this.current !== undefined) this.setCurrent(this.current);
  }
}

function formatInertia(v: number): string {
  return v >= 1e6 ? v.toExponential(3) : v.toLocaleString(undefined, { maximumFractionDigits: 1 });
}

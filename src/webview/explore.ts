// Explore: the same image segmented with every colour space and channel subset (or every k),
// one thumbnail each, sorted by the host's score as they arrive; a click applies that setting.
import { type SweepAxisId, type SweepDoneMessage, type SweepItemMessage } from '../shared/protocol';
import { CHANNEL_NAMES, type ColorSpace, type PanelParams } from '../shared/params';

export interface ExploreHost {
  /** Asks the host for a sweep (or to stop one: 'none'); returns its request id. */
  request(axis: SweepAxisId): number;
  /** The user picked a setting. */
  apply(setting: { colorSpace: ColorSpace; channels: number[]; k: number }): void;
  persist(state: { axis: SweepAxisId; style: 'mean' | 'gray' }): void;
}

interface ValueControl extends HTMLElement {
  value: string;
}

interface Card {
  score: number;
  el: HTMLButtonElement;
  urls: { gray: string; mean: string };
}

export function settingLabel(space: ColorSpace, channels: readonly number[], k: number): string {
  const names = CHANNEL_NAMES[space];
  const used = channels.length === 3 ? 'all' : channels.map((c) => names[c]).join(' ');
  return `${space.toUpperCase()} · ${used} · k ${k}`;
}

export class ExploreView {
  private readonly root = document.getElementById('explore')!;
  private readonly grid = document.getElementById('exploreGrid')!;
  private readonly status = document.getElementById('exploreStatus')!;
  private readonly axisSelect = document.getElementById('exploreAxis') as ValueControl;
  private readonly styleSelect = document.getElementById('exploreStyle') as ValueControl;
  private readonly toggle = document.getElementById('exploreToggle')!;
  private request = 0;
  private cards: Card[] = [];
  private axis: Exclude<SweepAxisId, 'none'> = 'channels';
  private style: 'mean' | 'gray' = 'mean';

  constructor(
    private readonly host: ExploreHost,
    saved: { axis?: SweepAxisId; style?: 'mean' | 'gray' } = {},
  ) {
    if (saved.axis === 'k') this.axis = 'k';
    if (saved.style === 'gray') this.style = 'gray';
    this.axisSelect.value = this.axis;
    this.styleSelect.value = this.style;
    this.axisSelect.addEventListener('change', () => {
      const v = this.axisSelect.value === 'k' ? 'k' : 'channels';
      if (v === this.axis) return;
      this.axis = v;
      this.save();
      this.start();
    });
    this.styleSelect.addEventListener('change', () => {
      this.style = this.styleSelect.value === 'gray' ? 'gray' : 'mean';
      this.save();
      for (const c of this.cards) c.el.querySelector('img')!.src = c.urls[this.style];
    });
    this.toggle.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
  }

  get isOpen(): boolean {
    return document.body.dataset.explore === 'open';
  }

  open(): void {
    document.body.dataset.explore = 'open';
    this.toggle.setAttribute('aria-pressed', 'true');
    this.start();
  }

  close(): void {
    if (!this.isOpen) return;
    delete document.body.dataset.explore;
    this.toggle.setAttribute('aria-pressed', 'false');
    this.host.request('none');
    this.request = 0;
  }

  /** The parameters changed (or the file did): a sweep on show is redone for them. */
  refresh(): void {
    if (this.isOpen) this.start();
  }

  onItem(msg: SweepItemMessage): void {
    if (msg.requestId !== this.request) return;
    const urls = {
      gray: URL.createObjectURL(new Blob([msg.gray.png], { type: 'image/png' })),
      mean: URL.createObjectURL(new Blob([msg.mean.png], { type: 'image/png' })),
    };
    const el = document.createElement('button');
    el.type = 'button';
    el.className = 'sweep-card';
    const setting = { colorSpace: msg.colorSpace, channels: msg.channels, k: msg.k };
    el.dataset.setting = `${msg.colorSpace}/${msg.channels.join('')}/${msg.k}`;
    el.dataset.score = msg.score.toFixed(3);
    const label = settingLabel(msg.colorSpace, msg.channels, msg.k);
    el.title = `${label}: coherence ${msg.score.toFixed(2)}, clusters ${msg.sizes.map((s) => `${s.toFixed(0)}%`).join(' ')}. Click to use this setting.`;
    const img = document.createElement('img');
    img.alt = label;
    img.src = urls[this.style];
    const caption = document.createElement('span');
    caption.className = 'sweep-caption';
    caption.textContent = label;
    const score = document.createElement('span');
    score.className = 'sweep-score';
    score.textContent = `κ ${msg.score.toFixed(2)}`;
    el.append(img, caption, score);
    el.addEventListener('click', () => {
      this.close();
      this.host.apply(setting);
    });
    // In score order, best first.
    const card: Card = { score: msg.score, el, urls };
    const at = this.cards.findIndex((c) => c.score < msg.score);
    if (at < 0) {
      this.cards.push(card);
      this.grid.append(el);
    } else {
      this.grid.insertBefore(el, this.cards[at]!.el);
      this.cards.splice(at, 0, card);
    }
    this.grid.querySelectorAll('.sweep-card').forEach((c, i) => c.classList.toggle('best', i === 0));
    this.status.textContent = `${this.cards.length} of ${msg.total}…`;
    this.root.dataset.count = String(this.cards.length);
  }

  onDone(msg: SweepDoneMessage): void {
    if (msg.requestId !== this.request) return;
    this.root.dataset.state = msg.error ? 'error' : 'done';
    this.status.textContent = msg.error
      ? `Explore failed: ${msg.error}`
      : `${this.cards.length} settings at width ${msg.width} in ${(msg.timeMs / 1000).toFixed(1)} s, best first`;
  }

  private start(): void {
    this.clear();
    this.root.dataset.state = 'running';
    this.status.textContent = 'Segmenting…';
    this.request = this.host.request(this.axis);
  }

  private clear(): void {
    for (const c of this.cards) {
      URL.revokeObjectURL(c.urls.gray);
      URL.revokeObjectURL(c.urls.mean);
    }
    this.cards = [];
    this.grid.replaceChildren();
    this.root.dataset.count = '0';
  }

  private save(): void {
    this.host.persist({ axis: this.axis, style: this.style });
  }
}

/** The panel's parameters with a swept setting applied. */
export function withSetting(params: PanelParams, s: { colorSpace: ColorSpace; channels: number[]; k: number }): PanelParams {
  return { ...params, colorSpace: s.colorSpace, channels: [...s.channels], k: s.k };
}

// The picture: both halves drawn from the host's display-size pictures in the chosen layout
// (the reference script's side by side, stacked, or a swipe between them), fitted to the panel or at a zoom
// level, dragged to pan. Zoomed in past the display pictures' detail, it asks the host for the
// visible region at the resolution the screen shows (the true pixels from 100 %) and draws it
// over them (#detail). Coordinates: "full" pixels are the full-size image's, zoom is CSS pixels
// per full pixel.
import { LAYOUT_IDS, STRIP_VALUE, compositeSize, placeHalves, type LayoutId, type Placement, type Rect } from '../shared/geometry';
import type { TilePart } from '../shared/protocol';

export type Zoom = 'fit' | number;

const MIN_ZOOM = 0.02;
const MAX_ZOOM = 32;
/** Wait this long after the last scroll or zoom before asking for detail. */
const DETAIL_DELAY_MS = 120;
/** How close to the swipe divider a press grabs it rather than panning, in CSS pixels. */
const GRAB_PX = 10;

export interface Picture {
  /** Full size of each half. */
  width: number;
  height: number;
  original: ImageBitmap | undefined;
  right: ImageBitmap | undefined;
}

export interface DetailRequest {
  part: TilePart;
  rect: Rect;
  scale: number;
}

export interface ViewerEvents {
  zoomChanged(zoom: Zoom): void;
  layoutChanged(layout: LayoutId, swipe: number): void;
  /** The visible parts need more detail than the display pictures have: ask for these (empty: none). */
  wantDetail(requests: DetailRequest[]): void;
  /** The pointer is over image pixel (x, y) of a half, or over nothing. */
  pointAt(at: { x: number; y: number } | undefined): void;
}

export class Viewer {
  private readonly canvas = document.getElementById('composite') as HTMLCanvasElement;
  private readonly detail = document.getElementById('detail') as HTMLCanvasElement;
  private readonly wrap = document.getElementById('canvasWrap')!;
  private readonly stage = document.getElementById('stage')!;
  private readonly zoomLabel = document.getElementById('zoomLevel')!;
  private readonly handle = document.getElementById('swipeHandle')!;
  private zoom: Zoom = 'fit';
  private layoutId: LayoutId = 'side';
  /** The swipe divider's position, 0..1 of the width: left of it the original. */
  private swipe = 0.5;
  private picture: Picture | undefined;
  private run = 0;
  private detailTimer: ReturnType<typeof setTimeout> | undefined;
  /** What #detail shows now: a tile per part. */
  private tiles = new Map<TilePart, Tile>();

  constructor(private readonly events: ViewerEvents) {
    new ResizeObserver(() => this.layout()).observe(this.stage);
    this.stage.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.stage.addEventListener('keydown', (e) => this.onKey(e));
    this.stage.addEventListener('scroll', () => this.scheduleDetail());
    this.enableDrag();
    this.canvas.addEventListener('pointermove', (e) => this.events.pointAt(this.imagePixelAt(e.clientX, e.clientY)));
    this.canvas.addEventListener('pointerleave', () => this.events.pointAt(undefined));
  }

  get hasImage(): boolean {
    return this.picture !== undefined && this.run > 0;
  }

  get currentLayout(): LayoutId {
    return this.layoutId;
  }

  /** Shows a picture; `final` counts it as a new result (data-run). */
  show(picture: Picture, final: boolean): void {
    const sizeChanged = !this.picture || this.picture.width !== picture.width || this.picture.height !== picture.height;
    this.picture = picture;
    this.tiles.clear();
    if (final) this.run += 1;
    const full = compositeSize(picture.width, picture.height);
    this.canvas.dataset.width = String(full.width);
    this.canvas.dataset.height = String(full.height);
    this.canvas.dataset.run = String(this.run);
    this.paint();
    if (sizeChanged) this.layout();
    else this.scheduleDetail();
  }

  /** No picture (the file failed to load or went away). */
  clear(): void {
    this.picture = undefined;
    this.tiles.clear();
    this.canvas.width = 0;
    this.canvas.height = 0;
    this.detail.hidden = true;
    this.zoomLabel.textContent = '';
  }

  /** The right half drawn another way (a mode, a highlight): not a new result. */
  replaceRight(right: ImageBitmap): void {
    if (!this.picture) return;
    this.picture = { ...this.picture, right };
    this.paint();
    // Tiles of the right half show the old view: ask again.
    for (const t of this.tiles.values()) t.right = undefined;
    this.paintDetail();
    this.scheduleDetail();
  }

  /** A tile the host made for a DetailRequest. */
  addTile(part: TilePart, rect: Rect, scale: number, original: ImageBitmap | undefined, right: ImageBitmap | undefined): void {
    if (!this.picture) return;
    this.tiles.set(part, { rect, scale, original, right });
    this.paintDetail();
  }

  setZoom(z: Zoom): void {
    this.zoom = typeof z === 'number' ? Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z)) : 'fit';
    this.layout();
    this.events.zoomChanged(this.zoom);
  }

  setLayout(layout: LayoutId, swipe = this.swipe): void {
    if (!LAYOUT_IDS.includes(layout)) return;
    this.layoutId = layout;
    this.swipe = Math.min(1, Math.max(0, swipe));
    this.canvas.dataset.layout = layout;
    this.tiles.clear();
    this.paint();
    this.layout();
    this.events.layoutChanged(layout, this.swipe);
  }

  /** CSS pixels per full-size pixel now. */
  scale(): number {
    const p = this.placement();
    if (this.zoom !== 'fit') return this.zoom;
    if (!p) return 1;
    const box = this.stage.getBoundingClientRect();
    const s = Math.min((box.width - 2) / p.width, (box.height - 2) / p.height);
    return s > 0 && Number.isFinite(s) ? s : 1;
  }

  private placement(): Placement | undefined {
    return this.picture ? placeHalves(this.layoutId, this.picture.width, this.picture.height) : undefined;
  }

  /** Display pixels per full pixel: the original's (the right half of a preview may have fewer). */
  private displayScale(): number {
    const p = this.picture;
    if (!p?.original) return 1;
    return p.original.width / p.width;
  }

  /** The display pictures drawn into the canvas at the original's scale. */
  private paint(): void {
    const pic = this.picture;
    const place = this.placement();
    if (!pic || !place) return;
    const ds = this.displayScale();
    const w = Math.max(1, Math.round(place.width * ds));
    const h = Math.max(1, Math.round(place.height * ds));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('the canvas has no 2D context');
    ctx.imageSmoothingEnabled = true;
    const hw = Math.round(pic.width * ds);
    const hh = Math.round(pic.height * ds);
    const gray = `rgb(${STRIP_VALUE},${STRIP_VALUE},${STRIP_VALUE})`;
    ctx.fillStyle = gray;
    ctx.fillRect(0, 0, w, h);
    const at = (v: number): number => Math.round(v * ds);
    if (pic.original) ctx.drawImage(pic.original, at(place.original.x), at(place.original.y), hw, hh);
    if (pic.right) {
      // Label images are drawn without smoothing: each pixel is one cluster.
      ctx.imageSmoothingEnabled = pic.right.width >= hw;
      if (this.layoutId === 'swipe') {
        const cut = Math.round(this.swipe * hw);
        const sx = (cut / hw) * pic.right.width;
        ctx.drawImage(pic.right, sx, 0, pic.right.width - sx, pic.right.height, cut, 0, hw - cut, hh);
      } else {
        ctx.drawImage(pic.right, at(place.right.x), at(place.right.y), hw, hh);
      }
    }
    this.placeHandle();
  }

  private layout(): void {
    const place = this.placement();
    if (!place) {
      this.zoomLabel.textContent = '';
      return;
    }
    const s = this.scale();
    const cssW = Math.max(1, Math.round(place.width * s));
    const cssH = Math.max(1, Math.round(place.height * s));
    this.wrap.style.width = `${cssW}px`;
    this.wrap.style.height = `${cssH}px`;
    this.canvas.style.width = `${cssW}px`;
    this.canvas.style.height = `${cssH}px`;
    this.canvas.classList.toggle('pixelated', s * devicePixelRatio > this.displayScale());
    this.stage.classList.toggle('fit', this.zoom === 'fit');
    this.zoomLabel.textContent = `${this.zoom === 'fit' ? 'Fit: ' : ''}${formatPercent(s)}`;
    this.placeHandle();
    this.paintDetail();
    this.scheduleDetail();
  }

  private placeHandle(): void {
    const pic = this.picture;
    const swipe = this.layoutId === 'swipe' && pic !== undefined;
    this.handle.hidden = !swipe;
    if (!swipe) return;
    this.handle.style.left = `${this.swipe * pic.width * this.scale()}px`;
  }

  /** The part of the picture in view, in full-size layout pixels. */
  private visibleRect(): Rect | undefined {
    const place = this.placement();
    if (!place) return undefined;
    const s = this.scale();
    const stage = this.stage.getBoundingClientRect();
    const wrap = this.wrap.getBoundingClientRect();
    const x0 = Math.max(0, (stage.left - wrap.left) / s);
    const y0 = Math.max(0, (stage.top - wrap.top) / s);
    const x1 = Math.min(place.width, (stage.right - wrap.left) / s);
    const y1 = Math.min(place.height, (stage.bottom - wrap.top) / s);
    if (x1 <= x0 || y1 <= y0) return undefined;
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  private scheduleDetail(): void {
    clearTimeout(this.detailTimer);
    this.detailTimer = setTimeout(() => this.requestDetail(), DETAIL_DELAY_MS);
  }

  /** Asks for the visible region of each half at the screen's resolution when the display pictures fall short. */
  private requestDetail(): void {
    const pic = this.picture;
    const place = this.placement();
    const view = this.visibleRect();
    const wanted = this.scale() * devicePixelRatio;
    if (!pic || !place || !view || wanted <= this.displayScale() * 1.05) {
      this.tiles.clear();
      this.paintDetail();
      this.events.wantDetail([]);
      return;
    }
    const scale = Math.min(1, wanted);
    const rectOf = (pos: { x: number; y: number }, from: number, to: number): Rect | undefined => {
      const x0 = Math.max(0, Math.floor(view.x - pos.x));
      const y0 = Math.max(0, Math.floor(view.y - pos.y));
      const x1 = Math.min(pic.width, Math.ceil(view.x + view.width - pos.x));
      const y1 = Math.min(pic.height, Math.ceil(view.y + view.height - pos.y));
      const left = Math.max(x0, Math.floor(from * pic.width));
      const right = Math.min(x1, Math.ceil(to * pic.width));
      if (right <= left || y1 <= y0) return undefined;
      return { x: left, y: y0, width: right - left, height: y1 - y0 };
    };
    const swipe = this.layoutId === 'swipe';
    const original = rectOf(place.original, 0, swipe ? this.swipe : 1);
    const right = rectOf(place.right, swipe ? this.swipe : 0, 1);
    const requests: DetailRequest[] = [];
    if (original && right && sameRect(original, right)) requests.push({ part: 'both', rect: original, scale });
    else {
      if (original) requests.push({ part: 'original', rect: original, scale });
      if (right) requests.push({ part: 'right', rect: right, scale });
    }
    // Keep the tiles that still match what is asked; ask for the others.
    const matches = (r: DetailRequest, t: Tile | undefined): boolean => t !== undefined && t.scale === r.scale && sameRect(r.rect, t.rect);
    for (const [part, t] of this.tiles) if (!requests.some((r) => r.part === part && matches(r, t))) this.tiles.delete(part);
    this.paintDetail();
    this.events.wantDetail(requests.filter((r) => !complete(r.part, this.tiles.get(r.part)) || !matches(r, this.tiles.get(r.part))));
  }

  /**
   * #detail covers the visible part of the picture, from a whole layout pixel, so that at 100 %
   * its pixels are the image's; tiles are drawn into it at the screen's resolution.
   */
  private paintDetail(): void {
    const pic = this.picture;
    const place = this.placement();
    const seen = this.visibleRect();
    if (!pic || !place || !seen || this.tiles.size === 0) {
      this.detail.hidden = true;
      return;
    }
    const view = { x: Math.floor(seen.x), y: Math.floor(seen.y), width: 0, height: 0 };
    view.width = Math.min(place.width, Math.ceil(seen.x + seen.width)) - view.x;
    view.height = Math.min(place.height, Math.ceil(seen.y + seen.height)) - view.y;
    const s = this.scale();
    const dpr = devicePixelRatio;
    const w = Math.max(1, Math.round(view.width * s * dpr));
    const h = Math.max(1, Math.round(view.height * s * dpr));
    if (this.detail.width !== w || this.detail.height !== h) {
      this.detail.width = w;
      this.detail.height = h;
    }
    this.detail.dataset.x = String(view.x);
    this.detail.dataset.y = String(view.y);
    this.detail.dataset.scale = String(s * dpr);
    this.detail.style.left = `${view.x * s}px`;
    this.detail.style.top = `${view.y * s}px`;
    this.detail.style.width = `${view.width * s}px`;
    this.detail.style.height = `${view.height * s}px`;
    const ctx = this.detail.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    ctx.imageSmoothingEnabled = s * dpr < 1;
    const k = s * dpr;
    const swipeX = this.swipe * pic.width;
    const draw = (bitmap: ImageBitmap | undefined, pos: { x: number; y: number }, rect: Rect, clip?: [number, number]): void => {
      if (!bitmap) return;
      ctx.save();
      if (clip) {
        ctx.beginPath();
        ctx.rect((clip[0] - view.x) * k, 0, (clip[1] - clip[0]) * k, h);
        ctx.clip();
      }
      ctx.drawImage(bitmap, (pos.x + rect.x - view.x) * k, (pos.y + rect.y - view.y) * k, rect.width * k, rect.height * k);
      ctx.restore();
    };
    const swipe = this.layoutId === 'swipe';
    for (const t of this.tiles.values()) {
      draw(t.original, place.original, t.rect, swipe ? [0, swipeX] : undefined);
      draw(t.right, place.right, t.rect, swipe ? [swipeX, pic.width] : undefined);
    }
    this.detail.hidden = false;
  }

  /** The image pixel under a point of the screen, in either half (none over the strip). */
  imagePixelAt(clientX: number, clientY: number): { x: number; y: number } | undefined {
    const pic = this.picture;
    const place = this.placement();
    if (!pic || !place) return undefined;
    const box = this.wrap.getBoundingClientRect();
    const s = this.scale();
    const lx = (clientX - box.left) / s;
    const ly = (clientY - box.top) / s;
    for (const pos of [place.original, place.right]) {
      const x = Math.floor(lx - pos.x);
      const y = Math.floor(ly - pos.y);
      if (x >= 0 && y >= 0 && x < pic.width && y < pic.height) return { x, y };
    }
    return undefined;
  }

  private zoomBy(factor: number, at?: { clientX: number; clientY: number }): void {
    const before = this.scale();
    const box = this.stage.getBoundingClientRect();
    const px = at ? at.clientX - box.left : box.width / 2;
    const py = at ? at.clientY - box.top : box.height / 2;
    // Keep the full-size point under the pointer where it is.
    const fx = (this.stage.scrollLeft + px) / before;
    const fy = (this.stage.scrollTop + py) / before;
    this.setZoom(before * factor);
    const after = this.scale();
    this.stage.scrollLeft = fx * after - px;
    this.stage.scrollTop = fy * after - py;
  }

  private onWheel(e: WheelEvent): void {
    if (!this.hasImage) return;
    e.preventDefault();
    this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, e);
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.hasImage) return;
    if (e.key === '+' || e.key === '=') this.zoomBy(1.25);
    else if (e.key === '-') this.zoomBy(0.8);
    else if (e.key === '0') this.setZoom('fit');
    else if (e.key === '1') this.setZoom(1);
    else return;
    e.preventDefault();
  }

  /** Dragging pans a zoomed-in picture, or moves the swipe divider when pressed on it. */
  private enableDrag(): void {
    let last: { x: number; y: number } | undefined;
    let swiping = false;
    this.stage.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !this.picture) return;
      const box = this.wrap.getBoundingClientRect();
      const dividerX = box.left + this.swipe * this.picture.width * this.scale();
      swiping = this.layoutId === 'swipe' && Math.abs(e.clientX - dividerX) <= GRAB_PX;
      last = { x: e.clientX, y: e.clientY };
      this.stage.setPointerCapture(e.pointerId);
      this.stage.classList.add('dragging');
    });
    this.stage.addEventListener('pointermove', (e) => {
      if (!last || !this.picture) return;
      if (swiping) {
        const box = this.wrap.getBoundingClientRect();
        this.swipe = Math.min(1, Math.max(0, (e.clientX - box.left) / (this.picture.width * this.scale())));
        this.paint();
        this.paintDetail();
      } else {
        this.stage.scrollLeft -= e.clientX - last.x;
        this.stage.scrollTop -= e.clientY - last.y;
      }
      last = { x: e.clientX, y: e.clientY };
    });
    const end = (): void => {
      if (swiping) this.events.layoutChanged(this.layoutId, this.swipe);
      last = undefined;
      swiping = false;
      this.stage.classList.remove('dragging');
    };
    this.stage.addEventListener('pointerup', end);
    this.stage.addEventListener('pointercancel', end);
  }
}

interface Tile {
  rect: Rect;
  scale: number;
  original?: ImageBitmap;
  right?: ImageBitmap;
}

/** Whether a tile holds every half its part names. */
function complete(part: TilePart, t: Tile | undefined): boolean {
  return t !== undefined && (part === 'right' || t.original !== undefined) && (part === 'original' || t.right !== undefined);
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

function formatPercent(s: number): string {
  const p = s * 100;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

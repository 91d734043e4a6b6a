// The composite on a canvas: drawn from raw RGBA (ImageData, no image decoding), shown fitted to
// the panel or at a zoom level; enlarged pixels stay crisp (CSS class `pixelated`).

export type Zoom = 'fit' | number;

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 32;

export class Viewer {
  private readonly canvas: HTMLCanvasElement;
  private readonly stage: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private zoom: Zoom = 'fit';
  private run = 0;

  constructor(private readonly onZoomChange: (z: Zoom) => void) {
    this.canvas = document.getElementById('composite') as HTMLCanvasElement;
    this.stage = document.getElementById('stage')!;
    this.zoomLabel = document.getElementById('zoomLevel')!;
    new ResizeObserver(() => {
      if (this.zoom === 'fit') this.layout();
    }).observe(this.stage);
    this.stage.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.stage.addEventListener('keydown', (e) => this.onKey(e));
    this.enableDragPan();
  }

  get hasImage(): boolean {
    return this.canvas.width > 0 && this.run > 0;
  }

  /** Draws a new result (data-run counts these). */
  draw(width: number, height: number, rgba: ArrayBuffer | Uint8ClampedArray): void {
    this.paint(width, height, rgba);
    this.run += 1;
    this.canvas.dataset.width = String(width);
    this.canvas.dataset.height = String(height);
    this.canvas.dataset.run = String(this.run);
    this.layout();
  }

  /** Draws the same result another way (a mode, a highlight): not a new result. */
  redraw(width: number, height: number, rgba: Uint8ClampedArray): void {
    if (this.canvas.width !== width || this.canvas.height !== height) return;
    this.paint(width, height, rgba);
  }

  private paint(width: number, height: number, rgba: ArrayBuffer | Uint8ClampedArray): void {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('the canvas has no 2D context');
    const data = (rgba instanceof Uint8ClampedArray ? rgba : new Uint8ClampedArray(rgba)) as Uint8ClampedArray<ArrayBuffer>;
    ctx.putImageData(new ImageData(data, width, height), 0, 0);
  }

  setZoom(z: Zoom): void {
    this.zoom = typeof z === 'number' ? Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z)) : 'fit';
    this.layout();
    this.onZoomChange(this.zoom);
  }

  /** The scale the canvas is shown at now. */
  scale(): number {
    const w = this.canvas.width;
    const h = this.canvas.height;
    if (this.zoom !== 'fit') return this.zoom;
    if (!w || !h) return 1;
    const box = this.stage.getBoundingClientRect();
    const s = Math.min((box.width - 2) / w, (box.height - 2) / h);
    return s > 0 && Number.isFinite(s) ? s : 1;
  }

  private layout(): void {
    const w = this.canvas.width;
    const h = this.canvas.height;
    if (!w || !h) return;
    const s = this.scale();
    this.canvas.style.width = `${Math.max(1, Math.round(w * s))}px`;
    this.canvas.style.height = `${Math.max(1, Math.round(h * s))}px`;
    this.canvas.classList.toggle('pixelated', s > 1);
    this.stage.classList.toggle('fit', this.zoom === 'fit');
    this.zoomLabel.textContent = `${this.zoom === 'fit' ? 'Fit: ' : ''}${Math.round(s * 100)}%`;
  }

  private zoomBy(factor: number): void {
    this.setZoom(this.scale() * factor);
  }

  private onWheel(e: WheelEvent): void {
    if (!this.hasImage) return;
    e.preventDefault();
    this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === '+' || e.key === '=') this.zoomBy(1.25);
    else if (e.key === '-') this.zoomBy(0.8);
    else if (e.key === '0') this.setZoom('fit');
    else if (e.key === '1') this.setZoom(1);
    else return;
    e.preventDefault();
  }

  /** Dragging with the mouse scrolls a zoomed-in image (the wheel zooms). */
  private enableDragPan(): void {
    let last: { x: number; y: number } | undefined;
    this.stage.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      last = { x: e.clientX, y: e.clientY };
      this.stage.setPointerCapture(e.pointerId);
      this.stage.classList.add('dragging');
    });
    this.stage.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.stage.scrollLeft -= e.clientX - last.x;
      this.stage.scrollTop -= e.clientY - last.y;
      last = { x: e.clientX, y: e.clientY };
    });
    const end = (): void => {
      last = undefined;
      this.stage.classList.remove('dragging');
    };
    this.stage.addEventListener('pointerup', end);
    this.stage.addEventListener('pointercancel', end);
  }
}

// Channel strips: each channel of the chosen colour space as a small gray picture (made by the
// host from the full-size image), the channels being clustered marked, so one sees which channel
// separates what before choosing.
import { type InsightMessage } from '../../shared/protocol';
import { htmlEl } from './svg';
import { CHANNEL_NAMES, type ColorSpace } from '../../shared/params';

export class PlanesView {
  private readonly root = document.getElementById('planes')!;

  show(planes: InsightMessage['planes'], colorSpace: ColorSpace, channels: readonly number[]): void {
    const { width, height } = planes;
    const data = new Uint8Array(planes.data);
    const names = CHANNEL_NAMES[colorSpace];
    const figures = [0, 1, 2].map((i) => {
      const plane = data.subarray(i * width * height, (i + 1) * width * height);
      const fig = htmlEl('figure', { className: 'plane' });
      fig.dataset.channel = String(i);
      fig.classList.toggle('selected', channels.includes(i));
      const canvas = htmlEl('canvas', {}, fig);
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(width, height);
        for (let p = 0, o = 0; p < plane.length; p++, o += 4) {
          img.data[o] = img.data[o + 1] = img.data[o + 2] = plane[p]!;
          img.data[o + 3] = 255;
        }
        ctx.putImageData(img, 0, 0);
      }
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `channel ${names[i]} in gray`);
      const used = channels.includes(i) ? ' ✓' : '';
      htmlEl('figcaption', { text: `${names[i]}${used}` }, fig);
      fig.title = channels.includes(i) ? `${names[i]}: clustered on` : `${names[i]}: not clustered on`;
      return fig;
    });
    this.root.replaceChildren(...figures);
  }

  /** A new result: which channels it clusters on shows at once; its pictures follow (show). */
  markChannels(colorSpace: ColorSpace, channels: readonly number[]): void {
    const names = CHANNEL_NAMES[colorSpace];
    for (const fig of this.root.querySelectorAll<HTMLElement>('.plane')) {
      const i = Number(fig.dataset.channel);
      const used = channels.includes(i);
      fig.classList.toggle('selected', used);
      const caption = fig.querySelector('figcaption');
      if (caption) caption.textContent = `${names[i]}${used ? ' ✓' : ''}`;
    }
  }

  clear(): void {
    this.root.replaceChildren();
  }
}

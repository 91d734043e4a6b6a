// Channel strips: each channel of the chosen colour space as a small gray picture, the channels
// being clustered marked, so one sees which channel separates what before choosing.
import { channelPlanes } from '../../core/insight/planes';
import { CHANNEL_LABELS } from '../../shared/protocol';
import type { ShownResult } from './shownResult';
import { htmlEl } from './svg';

const MAX_SIDE = 96;

export class PlanesView {
  private readonly root = document.getElementById('planes')!;

  show(shown: ShownResult): void {
    const { width, height } = shown.result.image;
    const planes = channelPlanes(shown.result.converted, width, height, MAX_SIDE);
    const names = CHANNEL_LABELS[shown.colorSpace];
    const figures = planes.planes.map((plane, i) => {
      const fig = htmlEl('figure', { className: 'plane' });
      fig.dataset.channel = String(i);
      fig.classList.toggle('selected', shown.channels.includes(i));
      const canvas = htmlEl('canvas', {}, fig);
      canvas.width = planes.width;
      canvas.height = planes.height;
      const ctx = canvas.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(planes.width, planes.height);
        for (let p = 0, o = 0; p < plane.length; p++, o += 4) {
          img.data[o] = img.data[o + 1] = img.data[o + 2] = plane[p]!;
          img.data[o + 3] = 255;
        }
        ctx.putImageData(img, 0, 0);
      }
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `channel ${names[i]} in gray`);
      const used = shown.channels.includes(i) ? ' ✓' : '';
      htmlEl('figcaption', { text: `${names[i]}${used}` }, fig);
      fig.title = shown.channels.includes(i) ? `${names[i]}: clustered on` : `${names[i]}: not clustered on`;
      return fig;
    });
    this.root.replaceChildren(...figures);
  }
}

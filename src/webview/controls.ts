// The parameter form: reads the toolkit controls into PanelParams and writes PanelParams back.
// Writes happen with `applying` set so the change events they fire do not start runs.
import { CHANNEL_NAMES, COLOR_SPACES, PANEL_LIMITS, clampTo, mayTakeMoreDigits, rangeText, readWhole, type ColorSpace, type NumericParam, type PanelParams } from '../shared/params';
import { OUTPUT_FORMATS, type OutputFormat } from '../shared/formats';

interface ValueControl extends HTMLElement {
  value: string;
}
interface CheckControl extends HTMLElement {
  checked: boolean;
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`panel markup lacks #${id}`);
  return el as T;
};

/** The number fields: element id -> parameter it sets. */
const NUMBER_FIELDS: ReadonlyArray<[string, NumericParam]> = [
  ['clusters', 'k'],
  ['width', 'width'],
  ['nInit', 'nInit'],
  ['maxIter', 'maxIter'],
  ['seed', 'seed'],
];

export type ReadResult = { ok: true; params: PanelParams } | { ok: false; message: string };

export class Controls {
  readonly colorSpace = byId<ValueControl>('colorSpace');
  readonly format = byId<ValueControl>('format');
  readonly channels = [0, 1, 2].map((i) => byId<CheckControl>(`channel-${i}`));
  readonly numbers = new Map(NUMBER_FIELDS.map(([id, p]) => [p, byId<ValueControl>(id)]));
  /** True while write() sets controls: their change events are echoes, not user edits. */
  applying = false;

  /** Calls `onEdit` for every user edit of any control. */
  listen(onEdit: (source: HTMLElement) => void): void {
    const handler = (ev: Event): void => {
      if (!this.applying) onEdit(ev.currentTarget as HTMLElement);
    };
    for (const el of [this.colorSpace, this.format, ...this.channels]) el.addEventListener('change', handler);
    for (const el of this.numbers.values()) el.addEventListener('input', handler);
    // On leaving a number field, show the value actually used (clamped, or the last valid one).
    for (const [p, el] of this.numbers) {
      el.addEventListener('change', () => {
        const v = parseIntField(el.value, p);
        if (v !== undefined && String(v) !== el.value) this.set(() => (el.value = String(v)));
      });
    }
    // At least one channel stays selected: unchecking the last one re-checks it.
    for (const box of this.channels) {
      box.addEventListener('change', () => {
        if (!this.applying && !this.channels.some((c) => c.checked)) this.set(() => (box.checked = true));
      });
    }
    this.colorSpace.addEventListener('change', () => this.labelChannels(this.readColorSpace()));
  }

  /**
   * Whether an edit of `el` waits for a pause in typing before it runs: a number field whose
   * value one more digit could still change (see mayTakeMoreDigits).
   */
  waitsForTyping(el: HTMLElement): boolean {
    for (const [p, field] of this.numbers) if (field === el) return mayTakeMoreDigits(field.value, PANEL_LIMITS[p]);
    return false;
  }

  private set(fn: () => void): void {
    const was = this.applying;
    this.applying = true;
    try {
      fn();
    } finally {
      this.applying = was;
    }
  }

  readColorSpace(): ColorSpace {
    const v = this.colorSpace.value;
    return (COLOR_SPACES as readonly string[]).includes(v) ? (v as ColorSpace) : 'bgr';
  }

  labelChannels(space: ColorSpace): void {
    CHANNEL_NAMES[space].forEach((name, i) => {
      this.channels[i]!.textContent = name;
    });
  }

  read(): ReadResult {
    const params: Partial<PanelParams> = {
      colorSpace: this.readColorSpace(),
      format: (OUTPUT_FORMATS as readonly string[]).includes(this.format.value)
        ? (this.format.value as OutputFormat)
        : 'png',
      channels: this.channels.flatMap((c, i) => (c.checked ? [i] : [])),
    };
    if (params.channels!.length === 0) params.channels = [0];
    for (const [p, el] of this.numbers) {
      const v = parseIntField(el.value, p);
      const label = el.textContent?.trim() || p;
      el.toggleAttribute('aria-invalid', v === undefined);
      if (v === undefined) {
        return { ok: false, message: `${label} must be ${rangeText(PANEL_LIMITS[p])}` };
      }
      params[p] = v;
    }
    return { ok: true, params: params as PanelParams };
  }

  write(p: PanelParams): void {
    this.set(() => {
      this.colorSpace.value = p.colorSpace;
      this.format.value = p.format;
      this.channels.forEach((c, i) => (c.checked = p.channels.includes(i)));
      for (const [key, el] of this.numbers) {
        el.value = String(p[key]);
        el.removeAttribute('aria-invalid');
      }
      this.labelChannels(p.colorSpace);
    });
  }
}

/** A whole number typed into a field, clamped into the panel's range; undefined if it is not one. */
export function parseIntField(text: string, p: NumericParam): number | undefined {
  const n = readWhole(text, true);
  return n === undefined ? undefined : clampTo(n, PANEL_LIMITS[p]);
}

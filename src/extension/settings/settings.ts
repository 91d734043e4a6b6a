// Reads `kmeansSegmentation.*` through VS Code and validates it with readSettings.ts (the pure,
// unit-tested half). Invalid values are logged once each and replaced by their defaults.
import * as vscode from 'vscode';
import { log } from '../log';
import { readSettings, SECTION, SETTING_KEYS, type Settings } from './readSettings';

const reported = new Set<string>();

export function currentSettings(scope?: vscode.Uri): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const raw = Object.fromEntries(SETTING_KEYS.map((k) => [k, cfg.get<unknown>(k)]));
  const settings = readSettings(raw);
  for (const w of settings.warnings) {
    if (!reported.has(w)) {
      reported.add(w);
      log().warn(`Invalid setting ${w}`);
    }
  }
  return settings;
}

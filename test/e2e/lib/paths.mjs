// Where things are: the repo root (the extension folder itself), the e2e package, scratch runs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(dirname(E2E_DIR));
export const RUN_DIR = join(E2E_DIR, '.run');
export const SCREENSHOT_DIR = join(E2E_DIR, 'screenshots');
export const SAMPLES_DIR = join(ROOT, 'media', 'samples');

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
/** The folder name VS Code gives an installed extension; a symlink with this name loads it. */
export const EXTENSION_FOLDER_NAME = `${EXTENSION_ID}-${manifest.version}`;
export const VSIX_PATH = join(ROOT, `${manifest.name}-${manifest.version}.vsix`);

// Debian's chromium; the runner checks for it before anything imports playwright-core.
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

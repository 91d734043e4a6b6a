// The "K-means Segmentation" output channel: batch logs, rejected webview messages, invalid
// settings. One channel for the whole extension, created on activation.
import * as vscode from 'vscode';

export const OUTPUT_CHANNEL_NAME = 'K-means Segmentation';

let channel: vscode.LogOutputChannel | undefined;

export function initLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  return channel;
}

/** The channel; before activation (never in practice) messages go to the console. */
export function log(): Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error' | 'show' | 'appendLine'> {
  return (
    channel ?? {
      info: (m: string) => console.log(m),
      warn: (m: string) => console.warn(m),
      error: (m: string | Error) => console.error(m),
      appendLine: (m: string) => console.log(m),
      show: () => undefined,
    }
  );
}

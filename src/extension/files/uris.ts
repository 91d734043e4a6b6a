// Small helpers on Uris that need no state.
import * as vscode from 'vscode';
import { isImageName } from '../../shared/formats';

/** The last path segment (file name) of a Uri. */
export function fileName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.path;
}

export function isImageUri(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return uri !== undefined && isImageName(fileName(uri));
}

/** The folder holding a file. */
export function parentOf(uri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(uri, '..');
}

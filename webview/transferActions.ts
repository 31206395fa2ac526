/**
 * The buttons of a transfer card, by its state. Pure (no DOM): chatApp.ts turns each into a
 * `vscode-button`, and test/unit/webviewTransferActions.test.ts checks the rules. Every button
 * has a label that names the file, for screen readers and tooltips.
 */
import type { TransferAction, TransferView } from '../src/shared/webviewMessages';
import { transferTitle } from './format';

export interface TransferButton {
  action: TransferAction;
  label: string;
  appearance: 'primary' | 'secondary';
  ariaLabel: string;
}

export function transferButtons(t: TransferView): TransferButton[] {
  const title = transferTitle(t);
  const b = (action: TransferAction, label: string, appearance: 'primary' | 'secondary', ariaLabel: string): TransferButton => ({ action, label, appearance, ariaLabel });
  switch (t.status) {
    case 'offered':
      return [
        b('accept', 'Accept', 'primary', `Accept ${title}`),
        b('acceptTo', 'Save to…', 'secondary', `Accept ${title} and choose where to save it`),
        b('decline', 'Decline', 'secondary', `Decline ${title}`),
      ];
    case 'asked':
      return [b('accept', 'Allow', 'primary', `Allow: send ${t.name} to ${t.peer}`), b('decline', 'Deny', 'secondary', `Deny ${t.peer}'s request for ${t.name}`)];
    case 'waiting':
      return t.direction === 'send' ? [b('cancel', 'Cancel', 'secondary', `Cancel ${title}`)] : [];
    case 'starting':
    case 'active':
      return [b('cancel', 'Cancel', 'secondary', `Cancel ${title}`)];
    case 'done':
      return doneButtons(t);
    default:
      return [];
  }
}

/**
 * A finished transfer: Open and Reveal while its file is there; a received text file that
 * matches a workspace file and is not decided yet also gets Compare (which leads to save over,
 * save beside or discard).
 */
function doneButtons(t: TransferView): TransferButton[] {
  if (!t.path || t.resolution === 'discarded') return [];
  const out: TransferButton[] = [];
  const comparable = t.direction === 'receive' && t.workspaceMatch !== undefined && t.resolution === undefined;
  if (comparable) {
    out.push({ action: 'compare', label: 'Compare with Workspace…', appearance: 'primary', ariaLabel: `Compare ${t.name} from ${t.peer} with ${t.workspaceMatch} in the workspace` });
  }
  out.push({ action: 'open', label: 'Open', appearance: t.direction === 'receive' && !comparable ? 'primary' : 'secondary', ariaLabel: `Open ${t.name}` });
  out.push({ action: 'reveal', label: 'Reveal', appearance: 'secondary', ariaLabel: `Reveal ${t.name} in the file explorer` });
  return out;
}

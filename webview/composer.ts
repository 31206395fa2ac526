/**
 * The composer: a toolkit text area (Enter sends, Shift+Enter starts a new line), a Send
 * button, a completion popup for `/` commands and `@nick` (arrow keys move, Tab or Enter
 * completes, Escape closes), a byte counter near the chat limit and an error line.
 *
 * The text area's real <textarea> lives in its shadow root, where the popup's ids cannot be
 * referenced (aria-activedescendant does not cross shadow roots), so the highlighted suggestion
 * is announced through a polite live region instead.
 */
import { MAX_MESSAGE_TEXT_BYTES } from '../src/protocol/limits';
import { applyCompletion, getCompletions, moveSelection, type CompletionContext, type CompletionResult } from './completion';
import { h, replaceChildren } from './dom';
import { chatBytes } from './format';

export interface ComposerHost {
  /** Sends one line; resolves when the host accepted it, rejects with the message to show. */
  submit(text: string): Promise<void>;
  completionContext(): CompletionContext;
  /** The draft changed (kept in the webview's state so a reload keeps it). */
  draftChanged(text: string): void;
  announce(text: string): void;
}

/** The part of the toolkit's text area used here. */
interface TextAreaElement extends HTMLElement {
  value: string;
  disabled: boolean;
  placeholder: string;
  control?: HTMLTextAreaElement;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly input: TextAreaElement;
  private readonly sendButton: HTMLElement;
  private readonly popup: HTMLUListElement;
  private readonly error: HTMLElement;
  private readonly counter: HTMLElement;
  private completion: CompletionResult | undefined;
  private selected = -1;
  private enabled = true;
  private composing = false;

  constructor(private readonly host: ComposerHost) {
    this.popup = h('ul', { id: 'completion', className: 'completion', role: 'listbox', 'aria-label': 'Suggestions', 'data-testid': 'completion-list', hidden: true });
    this.input = h('vscode-text-area', {
      id: 'composer',
      className: 'composer-input',
      'data-testid': 'composer',
      rows: 2,
      resize: 'none',
      placeholder: 'Message everyone · @nick for a private message · / for commands',
      'aria-haspopup': 'listbox',
      'aria-describedby': 'composer-help',
    }) as TextAreaElement;
    // The toolkit names the text area after its text content; that text is also its (hidden) label.
    this.input.textContent = 'Message';
    this.sendButton = h('vscode-button', { id: 'send-button', 'data-testid': 'send-button', 'aria-label': 'Send message', title: 'Send (Enter)' }, 'Send');
    this.counter = h('span', { id: 'composer-counter', className: 'composer-counter', 'aria-live': 'polite', hidden: true });
    this.error = h('div', { id: 'composer-error', className: 'composer-error', role: 'alert', 'data-testid': 'composer-error', hidden: true });
    const help = h('div', { id: 'composer-help', className: 'visually-hidden' }, 'Enter sends, Shift+Enter adds a line. Type / for commands or @ and a name for a private message; arrow keys choose a suggestion, Tab or Enter takes it.');
    this.element = h(
      'div',
      { className: 'composer', role: 'group', 'aria-label': 'Write a message' },
      this.popup,
      h('div', { className: 'composer-row' }, this.input, this.sendButton),
      h('div', { className: 'composer-footer' }, this.error, this.counter),
      help,
    );

    this.input.addEventListener('keydown', (e) => this.onKeyDown(e as KeyboardEvent));
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('compositionstart', () => (this.composing = true));
    this.input.addEventListener('compositionend', () => (this.composing = false));
    this.input.addEventListener('click', () => this.refreshCompletion());
    this.input.addEventListener('focusout', () => setTimeout(() => this.closeCompletion(), 150));
    this.sendButton.addEventListener('click', () => void this.send());
  }

  get value(): string {
    return this.input.control?.value ?? this.input.value ?? '';
  }

  private caret(): number {
    return this.input.control?.selectionStart ?? this.value.length;
  }

  setValue(text: string, caret = text.length): void {
    this.input.value = text;
    const control = this.input.control;
    if (control) {
      control.value = text;
      control.setSelectionRange(caret, caret);
    }
    this.updateCounter();
    this.host.draftChanged(text);
  }

  focus(text?: string): void {
    if (text !== undefined) this.setValue(text);
    this.input.focus();
    const control = this.input.control;
    if (control) {
      const end = control.value.length;
      control.setSelectionRange(end, end);
    }
    this.refreshCompletion();
  }

  /** Puts `text` before what is in the composer (a quote), the caret after it, and focuses. */
  prepend(text: string): void {
    const rest = this.value.replace(/^\s+/, '');
    this.setValue(text + rest, text.length);
    this.input.focus();
    this.input.control?.setSelectionRange(text.length, text.length);
    this.refreshCompletion();
  }

  setEnabled(enabled: boolean, placeholder: string): void {
    this.enabled = enabled;
    this.input.disabled = !enabled;
    this.input.placeholder = placeholder;
    if (enabled) this.sendButton.removeAttribute('disabled');
    else this.sendButton.setAttribute('disabled', '');
    if (!enabled) this.closeCompletion();
  }

  showError(message: string | undefined): void {
    this.error.hidden = !message;
    this.error.textContent = message ?? '';
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends the line and clears the composer at once (typing on must not wait for the host).
   * If the host refuses it, the text comes back, unless something new was typed meanwhile.
   */
  private async send(): Promise<void> {
    if (!this.enabled) return;
    const text = this.value;
    if (text.trim() === '') return;
    this.closeCompletion();
    this.setValue('');
    this.showError(undefined);
    try {
      await this.host.submit(text);
    } catch (err) {
      if (this.value.trim() === '') this.setValue(text);
      this.showError(err instanceof Error ? err.message : String(err));
    }
  }

  // ---------------------------------------------------------------- keys and completion

  private onKeyDown(e: KeyboardEvent): void {
    if (this.composing || e.isComposing) return;
    const open = this.completion !== undefined && this.completion.items.length > 0;
    if (open) {
      switch (e.key) {
        case 'ArrowDown':
        case 'ArrowUp':
          e.preventDefault();
          this.select(moveSelection(this.selected, e.key === 'ArrowDown' ? 1 : -1, this.completion!.items.length));
          return;
        case 'Tab':
        case 'Enter':
          if (e.shiftKey) break;
          e.preventDefault();
          this.accept(this.selected < 0 ? 0 : this.selected);
          return;
        case 'Escape':
          e.preventDefault();
          e.stopPropagation();
          this.closeCompletion();
          return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      void this.send();
    }
  }

  private onInput(): void {
    this.updateCounter();
    this.showError(undefined);
    this.host.draftChanged(this.value);
    this.refreshCompletion();
  }

  private updateCounter(): void {
    const bytes = chatBytes(this.value);
    const near = bytes !== undefined && bytes > MAX_MESSAGE_TEXT_BYTES * 0.8;
    this.counter.hidden = !near;
    if (!near) return;
    this.counter.textContent = `${bytes} / ${MAX_MESSAGE_TEXT_BYTES} bytes`;
    this.counter.classList.toggle('over', bytes! > MAX_MESSAGE_TEXT_BYTES);
    this.counter.title = bytes! > MAX_MESSAGE_TEXT_BYTES ? 'Too long for one message: send it as a file instead.' : 'Messages are limited in size.';
  }

  private refreshCompletion(): void {
    if (!this.enabled) return;
    const result = getCompletions(this.value, this.caret(), this.host.completionContext());
    if (!result) {
      this.closeCompletion();
      return;
    }
    const same = this.completion && this.completion.items.map((i) => i.label).join('\n') === result.items.map((i) => i.label).join('\n');
    this.completion = result;
    if (!same) this.selected = 0;
    this.renderPopup();
  }

  private renderPopup(): void {
    const c = this.completion;
    if (!c) return;
    replaceChildren(
      this.popup,
      ...c.items.map((item, i) =>
        h(
          'li',
          {
            id: `completion-${i}`,
            role: 'option',
            className: i === this.selected ? 'completion-item selected' : 'completion-item',
            'aria-selected': i === this.selected ? 'true' : 'false',
            'data-testid': 'completion-item',
            // mousedown, not click: keep the focus in the text area.
            onmousedown: (e: Event) => {
              e.preventDefault();
              this.accept(i);
            },
          },
          h('span', { className: 'completion-label' }, item.label),
          item.detail ? h('span', { className: 'completion-detail' }, item.detail) : null,
        ),
      ),
    );
    this.popup.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.announceSelection();
  }

  private select(i: number): void {
    this.selected = i;
    this.popup.querySelectorAll('.completion-item').forEach((el, j) => {
      el.classList.toggle('selected', j === i);
      el.setAttribute('aria-selected', j === i ? 'true' : 'false');
      if (j === i) (el as HTMLElement).scrollIntoView({ block: 'nearest' });
    });
    this.announceSelection();
  }

  private announceSelection(): void {
    const c = this.completion;
    if (!c || this.selected < 0) return;
    const item = c.items[this.selected];
    this.host.announce(`${item.label}${item.detail ? `, ${item.detail}` : ''}, ${this.selected + 1} of ${c.items.length}`);
  }

  private accept(i: number): void {
    const c = this.completion;
    const item = c?.items[i];
    if (!c || !item) return;
    const next = applyCompletion(this.value, c, item);
    this.closeCompletion();
    this.setValue(next.text, next.caret);
    this.input.focus();
    // A nickname or command may lead straight to the next suggestion (e.g. /sendfile → @nick).
    this.refreshCompletion();
  }

  private closeCompletion(): void {
    this.completion = undefined;
    this.selected = -1;
    this.popup.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  }
}

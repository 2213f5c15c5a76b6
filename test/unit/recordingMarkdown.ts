import type { MarkdownSink } from '../../src/extension/runTooltips';

/** Records what goes in as Markdown and what as text (which vscode.MarkdownString escapes). */
export class RecordingMarkdown implements MarkdownSink {
  readonly markdown: string[] = [];
  readonly text: string[] = [];
  appendMarkdown(markdown: string): void {
    this.markdown.push(markdown);
  }
  appendText(text: string): void {
    this.text.push(text);
  }
  get allMarkdown(): string {
    return this.markdown.join('');
  }
}

import assert from 'node:assert/strict';
import type { TailSink, TraceProblem } from '../../src/core/ingest/tailer';
import type { SpanRecord } from '../../src/core/model/span';

/** A tailer's sink that keeps what a store would hold now (spans since the last reset) and every problem. */
export class SpanSink implements TailSink {
  spansRead: SpanRecord[] = [];
  readonly problems: TraceProblem[] = [];
  spans(_file: string, spans: SpanRecord[]): void {
    this.spansRead.push(...spans);
  }
  reset(): void {
    this.spansRead = [];
  }
  problem(problem: TraceProblem): void {
    this.problems.push(problem);
  }
  names(): string[] {
    return this.spansRead.map((s) => s.name);
  }
  lines(): number[] {
    return this.spansRead.map((s) => s.origin.line);
  }
  byName(name: string): SpanRecord {
    const span = this.spansRead.find((s) => s.name === name);
    assert.ok(span, `span ${name} read`);
    return span;
  }
}

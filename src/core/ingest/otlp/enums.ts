import { SpanKind, StatusCode } from '../../model/span';

const SPAN_KINDS: Record<string, SpanKind> = {
  SPAN_KIND_UNSPECIFIED: SpanKind.Unspecified,
  SPAN_KIND_INTERNAL: SpanKind.Internal,
  SPAN_KIND_SERVER: SpanKind.Server,
  SPAN_KIND_CLIENT: SpanKind.Client,
  SPAN_KIND_PRODUCER: SpanKind.Producer,
  SPAN_KIND_CONSUMER: SpanKind.Consumer,
};

const STATUS_CODES: Record<string, StatusCode> = {
  STATUS_CODE_UNSET: StatusCode.Unset,
  STATUS_CODE_OK: StatusCode.Ok,
  STATUS_CODE_ERROR: StatusCode.Error,
};

/** Enums are written as numbers or as their proto names; unknown values read as unspecified. */
export function parseSpanKind(text: string): SpanKind {
  const n = Number(text);
  if (Number.isInteger(n)) return n >= 0 && n <= 5 ? (n as SpanKind) : SpanKind.Unspecified;
  return SPAN_KINDS[text.toUpperCase()] ?? SPAN_KINDS[`SPAN_KIND_${text.toUpperCase()}`] ?? SpanKind.Unspecified;
}

export function parseStatusCode(text: string): StatusCode {
  const n = Number(text);
  if (Number.isInteger(n)) return n >= 0 && n <= 2 ? (n as StatusCode) : StatusCode.Unset;
  return STATUS_CODES[text.toUpperCase()] ?? STATUS_CODES[`STATUS_CODE_${text.toUpperCase()}`] ?? StatusCode.Unset;
}

export const SPAN_KIND_LABELS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;

const HEX_RE = /^[0-9a-f]+$/i;
const BASE64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ZERO_RE = /^0+$/;

/**
 * Normalises a trace or span id to lowercase hex. Writers differ: the OTLP JSON spec says
 * hex, generic protobuf-to-JSON writers emit base64, some prefix `0x`. `byteLength` (16 for
 * trace ids, 8 for span ids) tells hex from base64 where both alphabets would fit.
 * Returns '' for an absent or all-zero id (the spec's "invalid" id).
 */
export function normalizeId(raw: string, byteLength: 16 | 8): string {
  let id = raw.trim();
  if (id.startsWith('0x') || id.startsWith('0X')) id = id.slice(2);
  let hex = id;
  if (HEX_RE.test(id) && id.length === byteLength * 2) {
    hex = id.toLowerCase();
  } else if (BASE64_RE.test(id)) {
    const bytes = Buffer.from(id, 'base64');
    if (bytes.length === byteLength) hex = bytes.toString('hex');
    else if (HEX_RE.test(id)) hex = id.toLowerCase();
  }
  return hex === '' || ZERO_RE.test(hex) ? '' : hex;
}

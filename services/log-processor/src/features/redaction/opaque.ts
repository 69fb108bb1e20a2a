/**
 * Which base64 runs are media and may be skipped unread. A run of the base64 alphabet is not proof of
 * media: a URL path or a list of ids (`/+8613800138000/4111111111111111/sk-…`) is base64-alphabet text too,
 * and skipping it kept the PII in it. A run is skipped only when it decodes to the signature of a binary
 * format (image, audio, video, PDF, archive); anything else is scanned like text, which costs about 15 ms of
 * CPU per MB here and may, rarely, take a random stretch of binary for a finding (counted, harmless).
 */

const SIGNATURES: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0x52, 0x49, 0x46, 0x46], // RIFF: WebP, WAV, AVI
  [0x25, 0x50, 0x44, 0x46], // PDF
  [0x49, 0x44, 0x33], // MP3 with an ID3 tag
  [0x4f, 0x67, 0x67, 0x53], // Ogg
  [0x66, 0x4c, 0x61, 0x43], // FLAC
  [0x1a, 0x45, 0xdf, 0xa3], // WebM / Matroska
  [0x49, 0x49, 0x2a, 0x00], // TIFF (little-endian)
  [0x4d, 0x4d, 0x00, 0x2a], // TIFF (big-endian)
  [0x42, 0x4d], // BMP
  [0x50, 0x4b, 0x03, 0x04], // ZIP (docx, xlsx, …)
  [0x1f, 0x8b], // gzip
];

/** True when the base64 text at `from` decodes to the signature of a binary format. */
export function isBinaryBase64(text: string, from = 0): boolean {
  const head = Buffer.from(text.slice(from, from + 16), 'base64');
  if (head.length < 8) return false;
  // MP3 frames without a tag start with an 11-bit frame sync; MP4/MOV/M4A/HEIC/AVIF carry `ftyp` at byte 4
  if (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) return true;
  if (head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70) return true;
  return SIGNATURES.some((sig) => sig.every((b, i) => head[i] === b));
}

/**
 * Full-width digits and letters (`１３８…`, `ＡＬＩＣＥ＠…`) with the few symbols that join them into an address,
 * number or key (`＠ ． ＋ － ＿`) folded to ASCII, one UTF-16 unit for one, so that positions found in the folded
 * copy are positions in the original. Full-width punctuation of Chinese prose (`，：（）`) is left as it is: the
 * detectors already treat it as the boundary it is.
 */
const FULL_WIDTH = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/;
function foldsTo(c: number): number {
  if ((c >= 0xff10 && c <= 0xff19) || (c >= 0xff20 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a)) return c - 0xfee0;
  if (c === 0xff0b || c === 0xff0d || c === 0xff0e || c === 0xff3f) return c - 0xfee0;
  return c;
}
export function foldFullWidth(text: string): string {
  if (!FULL_WIDTH.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const f = foldsTo(c);
    out += f === c ? text[i]! : String.fromCharCode(f);
  }
  return out;
}

/**
 * Framing: every protocol message is an 8-byte big-endian header (u16 type, u16 flags,
 * u32 payload length) followed by the payload. Bodies are plain concatenations of frames.
 */
import { ProtocolError } from "./errors.js";
import { describeMessageType } from "./message-types.js";

export const FRAME_HEADER_SIZE = 8;

/** The only flag defined in V5–V7; allowed on ProposeRunCompletion (0x0005) only. */
export const REQUESTED_ACK_FLAG = 0x8000;

/** Default cap on a frame's payload length. */
export const DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024;

export interface RawFrame {
  type: number;
  flags: number;
  /** Payload only (no header). May be a view into a chunk passed to FrameDecoder.push. */
  payload: Uint8Array;
}

function assertU16(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`frame ${name} must be an integer in 0..0xFFFF, got ${value}`);
  }
}

/** Writes the 8-byte header for a payload of `length` bytes at `offset` of `target`. */
export function writeFrameHeader(target: Uint8Array, offset: number, type: number, flags: number, length: number): void {
  assertU16("type", type);
  assertU16("flags", flags);
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    throw new RangeError(`frame payload length must fit in a u32, got ${length}`);
  }
  target[offset] = type >>> 8;
  target[offset + 1] = type & 0xff;
  target[offset + 2] = flags >>> 8;
  target[offset + 3] = flags & 0xff;
  target[offset + 4] = length >>> 24;
  target[offset + 5] = (length >>> 16) & 0xff;
  target[offset + 6] = (length >>> 8) & 0xff;
  target[offset + 7] = length & 0xff;
}

/** Header + payload in one new array (typed over ArrayBuffer, so it is a valid fetch BodyInit). */
export function encodeFrame(type: number, flags: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  writeFrameHeader(frame, 0, type, flags, payload.length);
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}

export interface FrameDecoderOptions {
  /** Largest accepted payload length in bytes (default 32 MiB). Checked before any allocation. */
  maxMessageSize?: number;
}

/**
 * Incremental frame decoder. Chunks may split frames anywhere, including inside a header.
 *
 * A frame that lies entirely inside one pushed chunk is returned as a subarray of that chunk
 * (no copy), so callers must not mutate chunks after pushing them. A frame spread over several
 * chunks is kept as a list of views and copied once, into an array of its exact size, when its
 * last byte arrives — linear in the body size, and memory grows only with bytes actually received.
 */
export class FrameDecoder {
  readonly #maxMessageSize: number;
  /** Partial header bytes (only used when a header is split across chunks, so made then: a whole body needs none). */
  #header: Uint8Array | undefined;
  #headerFilled = 0;
  /** Header of the frame whose payload is being assembled, or type -1 if none. */
  #type = -1;
  #flags = 0;
  #length = 0;
  #parts: Uint8Array[] = [];
  #partsBytes = 0;
  #failure: ProtocolError | undefined;
  #finished = false;

  constructor(opts?: FrameDecoderOptions) {
    const max = opts?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isInteger(max) || max < 0) {
      throw new RangeError(`maxMessageSize must be a non-negative integer, got ${max}`);
    }
    this.#maxMessageSize = max;
  }

  /** Bytes received for the frame that is not complete yet (header bytes included). */
  get bufferedBytes(): number {
    if (this.#type >= 0) return FRAME_HEADER_SIZE + this.#partsBytes;
    return this.#headerFilled;
  }

  /** Feeds the next chunk; returns the frames it completed, in order. */
  push(chunk: Uint8Array): RawFrame[] {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#finished) throw new ProtocolError("FrameDecoder.push() called after finish()");
    const frames: RawFrame[] = [];
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.#type >= 0) {
        pos = this.#continuePayload(chunk, pos, frames);
      } else if (this.#headerFilled > 0) {
        const take = Math.min(FRAME_HEADER_SIZE - this.#headerFilled, end - pos);
        this.#header!.set(chunk.subarray(pos, pos + take), this.#headerFilled);
        this.#headerFilled += take;
        pos += take;
        if (this.#headerFilled === FRAME_HEADER_SIZE) {
          this.#headerFilled = 0;
          this.#startFrame(this.#header!, 0, frames);
        }
      } else if (end - pos >= FRAME_HEADER_SIZE) {
        // Fast path: the header is inside this chunk; if the payload is too, return a view.
        const length = this.#readHeader(chunk, pos);
        const payloadStart = pos + FRAME_HEADER_SIZE;
        if (end - payloadStart >= length) {
          frames.push({ type: this.#type, flags: this.#flags, payload: chunk.subarray(payloadStart, payloadStart + length) });
          this.#type = -1;
          pos = payloadStart + length;
        } else {
          pos = this.#continuePayload(chunk, payloadStart, frames);
        }
      } else {
        (this.#header ??= new Uint8Array(FRAME_HEADER_SIZE)).set(chunk.subarray(pos, end), 0);
        this.#headerFilled = end - pos;
        pos = end;
      }
    }
    return frames;
  }

  /**
   * Declares the end of the input. Throws a ProtocolError when the input stopped inside a frame.
   * After finish(), push() is no longer allowed.
   */
  finish(): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#finished = true;
    if (this.#headerFilled > 0) {
      throw new ProtocolError(
        `request body ended inside a frame header: got ${this.#headerFilled} of ${FRAME_HEADER_SIZE} header bytes`,
      );
    }
    if (this.#type >= 0) {
      const got = FRAME_HEADER_SIZE + this.#partsBytes;
      const total = FRAME_HEADER_SIZE + this.#length;
      throw new ProtocolError(
        `request body ended inside a frame: got ${got} of ${total} bytes of a ${describeMessageType(this.#type)} frame ` +
          `(header declares a ${this.#length}-byte payload)`,
      );
    }
  }

  /** Parses and validates a complete header; sets type/flags/length and returns the length. */
  #readHeader(bytes: Uint8Array, at: number): number {
    const type = (bytes[at]! << 8) | bytes[at + 1]!;
    const flags = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    // `* 2 ** 24` instead of `<< 24`: keeps lengths ≥ 2^31 positive.
    const length = bytes[at + 4]! * 0x1000000 + ((bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!);
    if (length > this.#maxMessageSize) {
      this.#failure = new ProtocolError(
        `${describeMessageType(type)} frame declares a payload of ${length} bytes, ` +
          `above the limit of ${this.#maxMessageSize} bytes (maxMessageSize)`,
      );
      throw this.#failure;
    }
    this.#type = type;
    this.#flags = flags;
    this.#length = length;
    return length;
  }

  #startFrame(header: Uint8Array, at: number, frames: RawFrame[]): void {
    if (this.#readHeader(header, at) === 0) this.#emitAssembled(frames);
  }

  /** Adds payload bytes from `chunk` starting at `pos`; returns the new position. */
  #continuePayload(chunk: Uint8Array, pos: number, frames: RawFrame[]): number {
    const take = Math.min(this.#length - this.#partsBytes, chunk.length - pos);
    if (take > 0) {
      this.#parts.push(chunk.subarray(pos, pos + take));
      this.#partsBytes += take;
    }
    if (this.#partsBytes === this.#length) this.#emitAssembled(frames);
    return pos + take;
  }

  #emitAssembled(frames: RawFrame[]): void {
    let payload: Uint8Array;
    if (this.#parts.length === 1) {
      payload = this.#parts[0]!;
    } else {
      payload = new Uint8Array(this.#length);
      let offset = 0;
      for (const part of this.#parts) {
        payload.set(part, offset);
        offset += part.length;
      }
    }
    frames.push({ type: this.#type, flags: this.#flags, payload });
    this.#type = -1;
    this.#parts = [];
    this.#partsBytes = 0;
  }
}

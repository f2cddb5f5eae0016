/**
 * Corrupts one byte in place: XORs `mask` into the byte at `offset`. readUInt8 throws on an
 * offset outside the buffer, so a test that aims past its data fails instead of corrupting nothing.
 */
export function flipBits(data: Uint8Array, offset: number, mask: number): void {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  buffer.writeUInt8(buffer.readUInt8(offset) ^ mask, offset);
}

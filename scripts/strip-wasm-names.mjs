// Drop the "name" custom section from wasm files: the function names a
// debugger shows in stack traces, about a tenth of a release build and of
// no use to the page (a panic's message comes from the panic hook, not from
// these names). wasm-pack keeps the section and has no option to drop it;
// stripping at link time would drop the target-features section too, which
// wasm-bindgen reads.
//
//   node scripts/strip-wasm-names.mjs www/pkg/glassformer_bg.wasm [more.wasm …]
//
// A wasm module is an 8-byte header and then sections, each one byte of id,
// its size as an unsigned LEB128 number, and its bytes; a custom section
// (id 0) starts with its name, a LEB128 length and UTF-8.
import { readFileSync, writeFileSync } from "node:fs";

/** The unsigned LEB128 number at `offset`: [value, offset after it]. */
function leb128(bytes, offset) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (offset >= bytes.length) throw new Error("the wasm file ends inside a section header: is it truncated?");
    const byte = bytes[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, offset];
  }
}

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file} is not a wasm module`);
  const kept = [bytes.subarray(0, 8)];
  let offset = 8;
  while (offset < bytes.length) {
    const [size, body] = leb128(bytes, offset + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error(`${file}: a section runs past the end of the file: is it truncated?`);
    let name = null;
    if (bytes[offset] === 0) {
      const [length, start] = leb128(bytes, body);
      name = bytes.subarray(start, start + length).toString("utf8");
    }
    if (name !== "name") kept.push(bytes.subarray(offset, end));
    offset = end;
  }
  const out = Buffer.concat(kept);
  writeFileSync(file, out);
  console.log(`${file}: ${bytes.length} → ${out.length} bytes without its name section`);
}

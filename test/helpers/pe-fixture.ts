/**
 * A minimal Windows PE32+ image made byte by byte (headers, one section), small enough
 * for unit tests of signing and tagging: osslsigncode signs and verifies it like any
 * executable. It does not run; nothing here needs it to.
 */
export function minimalPe(sectionBytes = 0x400): Buffer {
  const fileAlign = 0x200;
  const headersSize = 0x400;
  const image = Buffer.alloc(headersSize + sectionBytes);
  image.write('MZ', 0, 'latin1');
  image.writeUInt32LE(0x80, 0x3c); // e_lfanew
  const pe = 0x80;
  image.write('PE\0\0', pe, 'latin1');
  image.writeUInt16LE(0x8664, pe + 4); // x86-64
  image.writeUInt16LE(1, pe + 6); // one section
  image.writeUInt16LE(240, pe + 20); // size of the PE32+ optional header with 16 directories
  image.writeUInt16LE(0x0022, pe + 22); // executable, large address aware
  const opt = pe + 24;
  image.writeUInt16LE(0x20b, opt); // PE32+
  image.writeUInt32LE(sectionBytes, opt + 4); // SizeOfCode
  image.writeUInt32LE(0x1000, opt + 16); // AddressOfEntryPoint
  image.writeUInt32LE(0x1000, opt + 20); // BaseOfCode
  image.writeBigUInt64LE(0x140000000n, opt + 24); // ImageBase
  image.writeUInt32LE(0x1000, opt + 32); // SectionAlignment
  image.writeUInt32LE(fileAlign, opt + 36); // FileAlignment
  image.writeUInt16LE(6, opt + 40); // OS version 6.0
  image.writeUInt16LE(6, opt + 48); // subsystem version 6.0
  image.writeUInt32LE(0x1000 + Math.ceil(sectionBytes / 0x1000) * 0x1000, opt + 56); // SizeOfImage
  image.writeUInt32LE(headersSize, opt + 60); // SizeOfHeaders
  image.writeUInt16LE(3, opt + 68); // console subsystem
  image.writeUInt32LE(16, opt + 108); // NumberOfRvaAndSizes
  const section = opt + 240;
  image.write('.text\0\0\0', section, 'latin1');
  image.writeUInt32LE(sectionBytes, section + 8); // VirtualSize
  image.writeUInt32LE(0x1000, section + 12); // VirtualAddress
  image.writeUInt32LE(sectionBytes, section + 16); // SizeOfRawData
  image.writeUInt32LE(headersSize, section + 20); // PointerToRawData
  image.writeUInt32LE(0x60000020, section + 36); // code, execute, read
  for (let i = 0; i < sectionBytes; i++) image[headersSize + i] = (i * 31) & 0xff; // not all zeros, so the hash covers something
  image[headersSize] = 0xc3; // ret
  return image;
}

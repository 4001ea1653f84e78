// Go's GOOS and GOARCH names for Node's process.platform and process.arch, so "-version"'s platform line
// and the build-info metric's goos and goarch labels read as the reference's do.
import { endianness } from 'node:os';

const GO_OS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };
const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', mipsel: 'mipsle' };

/** GOOS of this process: "linux", "darwin", "windows"... */
export function goOs(platform: string = process.platform): string {
  return GO_OS[platform] ?? platform;
}

/** GOARCH of this process: "amd64", "arm64", "ppc64le" (Node says ppc64 for both byte orders)... */
export function goArch(arch: string = process.arch, littleEndian: boolean = endianness() === 'LE'): string {
  if (arch === 'ppc64' && littleEndian) return 'ppc64le';
  return GO_ARCH[arch] ?? arch;
}

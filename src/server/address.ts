// Go-style listen addresses (":9256", "127.0.0.1:0", "[::1]:9256", "localhost:9256") and Go-style listen errors.

import type * as Dns from 'node:dns';
import { isIP } from 'node:net';
import { goErrText } from '../go/errno';

interface ListenTarget {
  /** undefined = every address, IPv6 dual-stack when available (Go does this for "", 0.0.0.0 and ::) */
  host: string | undefined;
  port: number;
  /** the address as Go would print it in errors: ":9256", "127.0.0.1:9256" */
  goAddr: string;
}

/** Go's net.SplitHostPort. */
function splitHostPort(addr: string): { host: string; port: string } {
  const missing = () => new Error(`listen tcp: address ${addr}: missing port in address`);
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    if (end < 0) throw new Error(`listen tcp: address ${addr}: missing ']' in address`);
    if (end + 1 === addr.length) throw missing();
    if (addr[end + 1] !== ':') throw new Error(`listen tcp: address ${addr}: missing port in address`);
    return { host: addr.slice(1, end), port: addr.slice(end + 2) };
  }
  const i = addr.lastIndexOf(':');
  if (i < 0) throw missing();
  const host = addr.slice(0, i);
  if (host.includes(':')) throw new Error(`listen tcp: address ${addr}: too many colons in address`);
  return { host, port: addr.slice(i + 1) };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function resolveListenAddress(addr: string): Promise<ListenTarget> {
  const { host, port: portText } = splitHostPort(addr);
  if (!/^\d+$/.test(portText)) {
    throw new Error(`listen tcp: lookup tcp/${portText}: unknown port (use a port number, e.g. ":9256")`);
  }
  const port = Number(portText);
  if (port > 65535) throw new Error(`listen tcp: address ${addr}: invalid port`);
  if (host === '' || host === '0.0.0.0' || host === '::') return { host: undefined, port, goAddr: `:${port}` };
  if (isIP(host)) return { host, port, goAddr: joinHostPort(host, port) };
  let addrs: { address: string; family: number }[];
  try {
    // node:dns is loaded only for a listen address given as a host name
    addrs = await (require('node:dns') as typeof Dns).promises.lookup(host, { all: true });
  } catch {
    throw new Error(`listen tcp: lookup ${host}: no such host`);
  }
  // Go listens on the first IPv4 address of a name for "tcp".
  const pick = addrs.find((a) => a.family === 4) ?? addrs[0];
  if (!pick) throw new Error(`listen tcp: lookup ${host}: no such host`);
  return { host: pick.address, port, goAddr: joinHostPort(pick.address, port) };
}

/** `listen tcp :9256: bind: address already in use`, from a Node listen error. */
export function goListenError(target: ListenTarget, err: NodeJS.ErrnoException): Error {
  // the syscall that fails with each errno: socket() for the family and fd table, bind() otherwise
  const syscall = err.code === 'EAFNOSUPPORT' || err.code === 'EMFILE' ? 'socket' : 'bind';
  const known = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EMFILE'].includes(err.code ?? '');
  return new Error(`listen tcp ${target.goAddr}: ${known ? `${syscall}: ${goErrText(err)}` : err.message}`);
}

// Go's syscall.Errno texts (strerror's wording, lower-cased), so errors from Node's fs and net read
// like the reference's: "open /x: no such file or directory", "listen tcp :80: bind: permission denied".
import { errorMessage } from '../base/errors';

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  ESRCH: 'no such process',
  EINVAL: 'invalid argument',
  EMFILE: 'too many open files',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

/** The text Go's syscall.Errno.Error() gives for a Node error; its own message for other errors. */
export function goErrText(e: unknown): string {
  const err = e as NodeJS.ErrnoException | undefined;
  return (err?.code && ERRNO_TEXT[err.code]) || errorMessage(e);
}

/** Go's *PathError text: "open /x: no such file or directory". */
export function goPathError(op: string, p: string, err: unknown): string {
  return `${op} ${p}: ${goErrText(err)}`;
}

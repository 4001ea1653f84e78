// The pure /proc file parsers (prometheus/procfs v0.14 semantics).
export * from './go';
export * from './stat';
export * from './status';
export * from './io';
export * from './limits';
export * from './smaps';
export * from './cgroup';
export * from './cmdline';
export * from './wchan';

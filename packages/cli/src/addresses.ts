import { CatenaeError, ErrorCode } from '@catenae/core';

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

/**
 * Checks a `host:port[,host:port]` list (as `-k` and `-a` take it) and returns it trimmed.
 * @throws CatenaeError `CATENAE_BAD_FLAG` naming the flag and the bad address.
 */
export function checkHostPorts(flag: string, value: string): string {
  const parts = value.split(',').map((part) => part.trim());
  for (const part of parts) {
    const colon = part.lastIndexOf(':');
    const host = part.slice(0, colon);
    const port = Number(part.slice(colon + 1));
    if (colon <= 0 || !HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65535 || !/^\d+$/.test(part.slice(colon + 1))) {
      throw new CatenaeError(ErrorCode.BadFlag, `${flag} "${value}" is not host:port[,host:port] ("${part}" is not host:port)`);
    }
  }
  return parts.join(',');
}

/** Checks `-m`: a `host:port` or a `mongodb://` / `mongodb+srv://` URI. */
export function checkMongoAddress(value: string): string {
  if (/^mongodb(\+srv)?:\/\/\S+$/.test(value)) return value;
  return checkHostPorts('-m', value);
}

/**
 * A one-time asynchronous setup (opening a store, binding a domain): the first call starts it, later
 * calls share it, and a failure is forgotten so the next call tries again instead of keeping the error.
 */
export function lazy<T>(open: () => Promise<T>): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => {
    opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
}

/**
 * A value built on its first use and kept, the same object on every call: a domain's schemas that its
 * import need not build (row schemas, read for CSV columns and the OpenAPI document; write bodies, read by
 * writes), so a cold start builds the ones its first request reads and no others. A build that throws is
 * tried again on the next call.
 */
export function once<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}

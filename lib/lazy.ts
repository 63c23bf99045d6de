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

/** An already-open value in the shape `lazy` gives, for callers that take either. */
export const constant =
  <T>(value: T): (() => Promise<T>) =>
  () =>
    Promise.resolve(value);

/**
 * Runs `load` once, on first call, and answers the same promise after that (so a module or client
 * loaded lazily, off the cold start, is not loaded again per call); a failed load is tried again on
 * the next call.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

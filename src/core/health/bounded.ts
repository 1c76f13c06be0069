// A bounded worker pool: at most `limit` calls in flight, each worker taking
// the next item as soon as its current call settles. One slow item holds one
// worker only, so a hanging origin delays nothing beyond its own timeout
// (a fixed batching of 6 would make each batch wait for its slowest member).

/** Maps `items` through `fn` with at most `limit` calls pending; results keep the items' order. A rejection rejects the whole map. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(Math.max(1, limit), items.length); i++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/** Objects the mock stores (responses, chat completions, files) are bounded like the recorder. */
export const STORED_LIMIT = 1000;

export function remember<V>(map: Map<string, V>, id: string, value: V, limit = STORED_LIMIT): void {
  map.delete(id);
  map.set(id, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
}

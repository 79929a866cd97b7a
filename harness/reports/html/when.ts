/** Times as the reports print them: minutes in UTC, which is what CI logs and results.json use. */

/** `2025-06-02 09:41 UTC` from an ISO 8601 UTC timestamp. */
export function when(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

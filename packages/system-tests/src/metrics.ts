/** Sums a Prometheus counter over the given instances' GET /metrics, for the series whose labels include `labels`. */
export async function scrapeCounter (baseUrls: string[], name: string, labels: Record<string, string> = {}): Promise<number> {
  let total = 0
  for (const baseUrl of baseUrls) {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
      if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return total
}

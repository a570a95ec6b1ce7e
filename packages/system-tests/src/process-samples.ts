import { InspectorSession } from './inspector-session.js'
import { sleep } from './processes.js'

/** An instance to sample: its HTTP address and the loopback port of its inspector. */
export interface SampledProcess { url: string, inspectorPort: number }

/** The NODE_OPTIONS of an instance to sample: `gc()` exposed, and the inspector on a loopback port to call it through. */
export function samplingNodeOptions (inspectorPort: number): string {
  return `--expose-gc --inspect=127.0.0.1:${inspectorPort}`
}

/** One reading of a server process. */
export interface ProcessSample {
  /** Seconds since sampling began. */
  at: number
  rssBytes: number
  /** The V8 heap as scraped: it rises and falls with the collector's timing, so it shows no trend on its own. */
  heapUsedBytes: number
  /** The V8 heap right after a forced full collection: what is still reachable, where a leak accumulates. */
  liveHeapBytes: number
  /** How long the forced collection took: the instance served nothing meanwhile. */
  collectionMs: number
  /** Memory held outside the V8 heap (Buffers): a leak of buffers shows here and in RSS, not in the heap. */
  externalBytes: number
  /** 99th percentile of the event-loop delay since the previous scrape (prom-client resets its histogram on each). */
  lagP99Seconds: number
}

// prom-client's default metrics, under the server's metric prefix.
const GAUGES = {
  rssBytes: 'agentidp_process_resident_memory_bytes',
  heapUsedBytes: 'agentidp_nodejs_heap_size_used_bytes',
  externalBytes: 'agentidp_nodejs_external_memory_bytes',
  lagP99Seconds: 'agentidp_nodejs_eventloop_lag_p99_seconds'
} as const

/**
 * Scrapes GET /metrics once (so the lag covers exactly the interval since the previous sample,
 * and the collection below falls in the next one), then forces a full collection through the
 * inspector and reads what is left.
 */
export async function sampleProcess (url: string, inspector: InspectorSession, at: number): Promise<ProcessSample> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
  const lines = text.split('\n')
  const sample: ProcessSample = { at, rssBytes: 0, heapUsedBytes: 0, liveHeapBytes: 0, collectionMs: 0, externalBytes: 0, lagP99Seconds: 0 }
  for (const [field, name] of Object.entries(GAUGES) as Array<[keyof typeof GAUGES, string]>) {
    const line = lines.find((candidate) => candidate.startsWith(`${name} `))
    if (line === undefined) throw new Error(`${url}/metrics has no ${name}`)
    sample[field] = Number(line.slice(name.length + 1))
  }
  const collecting = performance.now()
  // One full collection (~100 ms); the protocol's HeapProfiler.collectGarbage runs several and takes four times as long.
  const collected = await inspector.send('Runtime.evaluate', { expression: 'gc()' }) as { exceptionDetails?: { text: string } }
  if (collected.exceptionDetails !== undefined) throw new Error(`${url}: gc() failed (no --expose-gc?): ${collected.exceptionDetails.text}`)
  sample.collectionMs = performance.now() - collecting
  sample.liveHeapBytes = (await inspector.send('Runtime.getHeapUsage') as { usedSize: number }).usedSize
  return sample
}

/**
 * Samples every process each `intervalMs` (on a fixed schedule, not after each sample) until
 * `signal` aborts; answers one series per process, in the order given.
 */
export async function sampleUntil (processes: SampledProcess[], intervalMs: number, signal: AbortSignal): Promise<ProcessSample[][]> {
  const inspectors = await Promise.all(processes.map(async ({ inspectorPort }) => InspectorSession.open(inspectorPort)))
  try {
    const series: ProcessSample[][] = processes.map(() => [])
    const begin = performance.now()
    for (let tick = 0; !signal.aborted; tick++) {
      const at = (performance.now() - begin) / 1000
      const samples = await Promise.all(processes.map(async ({ url }, index) => sampleProcess(url, inspectors[index]!, at)))
      samples.forEach((sample, index) => series[index]!.push(sample))
      await sleep(Math.max(0, begin + (tick + 1) * intervalMs - performance.now()), undefined, { signal }).catch(() => {})
    }
    return series
  } finally {
    for (const inspector of inspectors) inspector.close()
  }
}

import type { ProcessSample } from './process-samples.js'
import { afterWarmUp, fitTrend } from './trend.js'

/** The first 30 % of a soak is warm-up: compiled code, pooled connections and their prepared statements still accumulate. */
export const WARM_UP_FRACTION = 0.3

/**
 * The live-heap growth the full soak (10 minutes or more) tolerates per instance, in bytes a
 * minute: 0.25 MiB. At the soak's 75 requests a second per instance that is under 60 bytes kept
 * per request, less than the smallest thing a per-request leak keeps (an object with a key, a
 * closure); an instance that keeps nothing measured 0.05 to 0.08 MiB a minute over ten minutes
 * (the tail of its warm-up).
 */
export const LIVE_HEAP_GROWTH_BOUND = 0.25 * 2 ** 20

/**
 * A shorter run measures while the warm-up still adds about 1 MiB a minute (0.5 to 1 measured
 * in the 60 s run), so it holds to 3 MiB a minute: about 700 bytes per request, what keeping a
 * request's worth of objects costs.
 */
export const SHORT_RUN_GROWTH_BOUND = 3 * 2 ** 20
const FULL_SOAK_SECONDS = 600

/** The bound a soak of that length holds to. */
export function growthBound (soakSeconds: number): number {
  return soakSeconds >= FULL_SOAK_SECONDS ? LIVE_HEAP_GROWTH_BOUND : SHORT_RUN_GROWTH_BOUND
}

export interface HeapGrowth {
  /** Least-squares slope of the live heap after warm-up. */
  bytesPerMinute: number
  standardError: number
  /**
   * The growth is above the bound even less two standard errors (about 97.5 % sure): noise alone
   * does not fail a run. A short run's error is wide, so only a fast leak fails it; the full
   * soak's is narrow.
   */
  leaking: boolean
}

export function liveHeapGrowth (samples: readonly ProcessSample[], bound: number): HeapGrowth {
  const { slope, standardError } = fitTrend(afterWarmUp(samples.map((sample) => ({ x: sample.at / 60, y: sample.liveHeapBytes })), WARM_UP_FRACTION))
  return { bytesPerMinute: slope, standardError, leaking: slope - 2 * standardError > bound }
}

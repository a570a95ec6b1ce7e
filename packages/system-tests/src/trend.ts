export interface Point { x: number, y: number }

/** A least-squares line's slope, and its standard error from the residuals (infinite below three points: nothing can be told). */
export interface Trend { slope: number, standardError: number }

export function fitTrend (points: readonly Point[]): Trend {
  const n = points.length
  const meanX = points.reduce((sum, { x }) => sum + x, 0) / n
  const meanY = points.reduce((sum, { y }) => sum + y, 0) / n
  let covariance = 0
  let variance = 0
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY)
    variance += (x - meanX) ** 2
  }
  if (n < 3 || variance === 0) return { slope: variance === 0 ? 0 : covariance / variance, standardError: Number.POSITIVE_INFINITY }
  const slope = covariance / variance
  const residuals = points.reduce((sum, { x, y }) => sum + (y - meanY - slope * (x - meanX)) ** 2, 0)
  return { slope, standardError: Math.sqrt(residuals / (n - 2) / variance) }
}

/** The points after the first `fraction` of the x span: what a process does once warmed up. */
export function afterWarmUp (points: readonly Point[], fraction: number): Point[] {
  if (points.length === 0) return []
  const first = points[0]!.x
  const start = first + (points[points.length - 1]!.x - first) * fraction
  return points.filter(({ x }) => x >= start)
}

/** The median of the values (0 for none). */
export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return 0
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

// Small SVG charts drawn from the analytics API's answers; no library, nothing fetched.
const SVG = 'http://www.w3.org/2000/svg'

function element (name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value))
  if (text !== undefined) node.textContent = text
  return node
}

function canvas (container, width, height) {
  const svg = element('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' })
  container.replaceChildren(svg)
  return svg
}

/** Every `step`-th day label, so the axis stays readable over long ranges. */
function labelStep (count, room) {
  return Math.max(1, Math.ceil(count / room))
}

const shortDay = (day) => day.slice(5)

/** Agents × days, one cell per count, darker for busier days. */
export function heatmap (container, { days, agents }) {
  const cell = Math.max(8, Math.min(24, Math.floor(900 / Math.max(days.length, 1))))
  const left = 90
  const top = 8
  const width = left + days.length * cell + 8
  const height = top + Math.max(agents.length, 1) * cell + 28
  const svg = canvas(container, width, height)
  svg.setAttribute('aria-label', `API calls of ${agents.length} agents over ${days.length} days`)
  if (agents.length === 0) {
    svg.append(element('text', { class: 'empty', x: left, y: top + 14 }, 'No agent activity in this period'))
  }
  const max = Math.max(1, ...agents.flatMap((agent) => agent.counts))
  agents.forEach((agent, row) => {
    const y = top + row * cell
    svg.append(element('text', { x: left - 6, y: y + cell * 0.7, 'text-anchor': 'end' }, agent.agentId.slice(0, 8)))
    agent.counts.forEach((count, column) => {
      const lightness = count === 0 ? 96 : 85 - Math.round((count / max) * 55)
      const rect = element('rect', {
        class: 'cell', x: left + column * cell, y, width: cell - 2, height: cell - 2, rx: 2,
        fill: `hsl(220 75% ${lightness}%)`, 'data-count': count
      })
      rect.append(element('title', {}, `${agent.agentId} · ${days[column]}: ${count} calls`))
      svg.append(rect)
    })
  })
  const step = labelStep(days.length, 900 / 50)
  days.forEach((day, column) => {
    if (column % step === 0) svg.append(element('text', { x: left + column * cell, y: height - 8 }, shortDay(day)))
  })
}

function frame (container, series, label) {
  const width = 520
  const height = 220
  const margin = { left: 40, right: 10, top: 10, bottom: 26 }
  const svg = canvas(container, width, height)
  svg.setAttribute('aria-label', label)
  const max = Math.max(1, ...series.map((point) => point.value))
  const x = (index) => margin.left + (series.length <= 1 ? 0 : index * (width - margin.left - margin.right) / (series.length - 1))
  const y = (value) => height - margin.bottom - value / max * (height - margin.top - margin.bottom)
  svg.append(element('line', { class: 'axis', x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0) }))
  svg.append(element('text', { x: margin.left - 6, y: y(max) + 4, 'text-anchor': 'end' }, String(max)))
  svg.append(element('text', { x: margin.left - 6, y: y(0) + 4, 'text-anchor': 'end' }, '0'))
  const step = labelStep(series.length, 8)
  series.forEach((point, index) => {
    if (index % step === 0) svg.append(element('text', { x: x(index), y: height - 8, 'text-anchor': 'middle' }, shortDay(point.date)))
  })
  return { svg, x, y, width, margin }
}

/** Tokens issued per day as a line with one point per day. */
export function lineChart (container, series, label) {
  const { svg, x, y } = frame(container, series, label)
  svg.append(element('polyline', { class: 'trend-line', points: series.map((point, index) => `${x(index)},${y(point.value)}`).join(' ') }))
  series.forEach((point, index) => {
    const dot = element('circle', { class: 'point', cx: x(index), cy: y(point.value), r: 3, 'data-count': point.value })
    dot.append(element('title', {}, `${point.date}: ${point.value}`))
    svg.append(dot)
  })
}

/** Credential rotations per day as bars. */
export function barChart (container, series, label) {
  const { svg, x, y, width, margin } = frame(container, series, label)
  const barWidth = Math.max(2, (width - margin.left - margin.right) / Math.max(series.length, 1) * 0.6)
  series.forEach((point, index) => {
    if (point.value === 0) return
    const bar = element('rect', { class: 'bar', x: x(index) - barWidth / 2, y: y(point.value), width: barWidth, height: y(0) - y(point.value), 'data-count': point.value })
    bar.append(element('title', {}, `${point.date}: ${point.value}`))
    svg.append(bar)
  })
}

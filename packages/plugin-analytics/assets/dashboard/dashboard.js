import { barChart, heatmap, lineChart } from './charts.js'

const api = document.querySelector('meta[name="api-prefix"]').content
let accessToken = null

const $ = (selector) => document.querySelector(selector)
const day = (date) => date.toISOString().slice(0, 10)
const daysAgo = (days) => day(new Date(Date.now() - days * 86_400_000))

async function signIn (clientId, clientSecret) {
  const response = await fetch(`${api}/token`, {
    method: 'POST',
    // A refused client answers 401 with `WWW-Authenticate: Basic`: without this the browser would
    // hold the request open behind its own password prompt.
    credentials: 'omit',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'analytics:read' })
  })
  const body = await response.json()
  if (!response.ok) throw new Error(body.error_description ?? body.message ?? 'Sign-in failed')
  return body.access_token
}

async function get (path, range) {
  const query = new URLSearchParams(range)
  const response = await fetch(`${api}/analytics/${path}?${query}`, { headers: { authorization: `Bearer ${accessToken}` } })
  const body = await response.json()
  if (!response.ok) throw new Error(body.message ?? `Request failed (${response.status})`)
  return body
}

function showSummary ({ summary }) {
  const figures = [
    ['API calls', summary.totalApiCalls], ['Tokens issued', summary.totalTokenIssuances],
    ['Credential rotations', summary.totalCredentialRotations], ['Delegations', summary.totalDelegations],
    ['Active agents', summary.activeAgentCount], ['Average calls / day', summary.averageDailyApiCalls],
    ['Peak calls / day', summary.peakDailyApiCalls], ['Peak day', summary.peakDate ?? '—']
  ]
  $('#summary').replaceChildren(...figures.map(([label, value]) => {
    const figure = document.createElement('div')
    const strong = document.createElement('strong')
    strong.textContent = typeof value === 'number' ? value.toLocaleString('en') : value
    const caption = document.createElement('span')
    caption.textContent = label
    figure.append(strong, caption)
    return figure
  }))
}

async function show (range) {
  $('#range-error').textContent = ''
  try {
    const [summary, activity, trends] = await Promise.all([get('usage-summary', range), get('agent-activity', range), get('token-trends', range)])
    showSummary(summary)
    heatmap($('#heatmap'), activity)
    lineChart($('#token-trend'), trends.data.map((point) => ({ date: point.date, value: point.tokensIssued })), 'Tokens issued per day')
    barChart($('#rotations'), trends.data.map((point) => ({ date: point.date, value: point.credentialRotations })), 'Credential rotations per day')
    const freshness = $('#freshness')
    freshness.textContent = `Complete through ${summary.aggregatedThrough ?? 'no day yet'} (UTC)`
    freshness.hidden = false
    document.body.dataset.state = 'ready'
  } catch (error) {
    $('#range-error').textContent = error.message
    document.body.dataset.state = 'error'
  }
}

$('#sign-in').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(event.target)
  $('#sign-in-error').textContent = ''
  try {
    accessToken = await signIn(form.get('clientId').trim(), form.get('clientSecret').trim())
  } catch (error) {
    $('#sign-in-error').textContent = error.message
    return
  }
  $('#sign-in').hidden = true
  $('#dashboard').hidden = false
  const range = $('#range')
  range.from.value = daysAgo(30)
  range.to.value = daysAgo(1)
  await show({ from: range.from.value, to: range.to.value })
})

$('#range').addEventListener('submit', async (event) => {
  event.preventDefault()
  const range = event.target
  await show({ from: range.from.value, to: range.to.value })
})

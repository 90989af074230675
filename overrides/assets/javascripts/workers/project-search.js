/*
 * Project search worker: answers Material's search box from the prebuilt,
 * sharded index (hooks/search_shards.py), loading only what a query needs.
 *
 * Material's page script fetches search/search_index.json (here a small
 * manifest) and sends it as SETUP; the worker answers READY at once. For a
 * query it fetches the term shards of the character pairs in the query,
 * splits the query into the longest known words, drops function words, adds
 * synonyms, and adds up the precomputed scores. Only the top pages' display
 * chunks are fetched. Results use Material's message format, so its own result
 * list renders them.
 *
 * Trainer guides are searched only from the trainers' own section
 * (?section=trainers, set by main.html). Agents' results hold lessons and
 * reference pages; when no lesson matches, they hold the lessons the
 * situations page points to most and the situations page itself: never an
 * empty list.
 */
"use strict"

const MESSAGE = { SETUP: 0, READY: 1, QUERY: 2, RESULT: 3 }
const MAX_WORD = 12        // longest query word tried against the shards
const PREFIX_WEIGHT = 0.4  // an index term that starts with a query word
const SYNONYM_WEIGHT = 0.6 // another word of a synonym group
const PAIR_WEIGHT = 0.35   // a character pair of the query
const RESULTS = 10         // pages returned: what an agent reads, and what Material shows before scrolling
const WEAK = 150           // below this best score (hundredths), also offer the situations page

const PAIR = "#"           // marks a character pair in the index (hooks/search_shards.py)
const base = new URL("../../../search/", self.location.href)
const trainers = new URL(self.location.href).searchParams.get("section") === "trainers"
let kb = null
const shards = new Map()   // shard number -> Promise of {term: [page, score, …]}
const chunks = new Map()   // chunk number -> Promise of [[location, title, description, tags, headings, kind]]
let latest = 0

function fetchJSON(name) {
  return fetch(new URL(name, base)).then(response => {
    if (!response.ok)
      throw new Error(`${name}: ${response.status}`)
    return response.json()
  })
}

function shard(number) {
  if (!shards.has(number))
    shards.set(number, fetchJSON(`kb/t${number}.json`).catch(error => {
      shards.delete(number)  // retry on the next query
      throw error
    }))
  return shards.get(number)
}

function chunk(number) {
  if (!chunks.has(number))
    chunks.set(number, fetchJSON(`kb/p${number}.json`).catch(error => {
      chunks.delete(number)
      throw error
    }))
  return chunks.get(number)
}

/* FNV-1a over UTF-16 code units: the same as shard_of() in hooks/search_shards.py. */
function shardOf(term) {
  // The first two characters (code points, as Python counts them), then their UTF-16 units.
  const key = [...(term.startsWith(PAIR) ? term.slice(PAIR.length) : term)].slice(0, 2).join("")
  let value = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    value ^= key.charCodeAt(i)
    value = Math.imul(value, 0x01000193) >>> 0
  }
  return value % kb.shards
}

function normalize(text) {
  return text.normalize("NFKC").toLowerCase()
}

/* Runs of Chinese characters, and Latin or digit words (m1, ptp, 12356). */
function runs(query) {
  return normalize(query).match(/[\u4e00-\u9fff]+|[a-z0-9]+/g) || []
}

async function load(keys) {
  const numbers = [...new Set([...keys].map(key => shardOf(key)))]
  const loaded = await Promise.all(numbers.map(shard))
  const table = new Map()
  numbers.forEach((number, i) => table.set(number, loaded[i]))
  return term => table.get(shardOf(term)) || {}
}

/* Fewest, longest known words covering a run of Chinese characters. */
function segment(run, known) {
  const cost = new Array(run.length + 1).fill(Infinity)
  const from = new Array(run.length + 1).fill(0)
  cost[0] = 0
  for (let end = 1; end <= run.length; end++)
    for (let start = Math.max(0, end - MAX_WORD); start < end; start++) {
      const piece = run.slice(start, end)
      // An unknown character costs more than any word, so known words win.
      const step = end - start === 1 ? 3 : known(piece) ? 1 : Infinity
      if (cost[start] + step < cost[end]) {
        cost[end] = cost[start] + step
        from[end] = start
      }
    }
  const words = []
  for (let end = run.length; end > 0; end = from[end])
    words.unshift(run.slice(from[end], end))
  return words.filter(word => word.length > 1)
}

/* Query terms with weights: words, synonyms, prefixes and character pairs. */
async function parse(query) {
  const parts = runs(query)
  const pairs = []
  for (const run of parts)
    if (/[\u4e00-\u9fff]/.test(run))
      for (let i = 0; i + 1 < run.length; i++)
        pairs.push(run.slice(i, i + 2))
  let lookup = await load(new Set([...pairs, ...parts.filter(p => !/[\u4e00-\u9fff]/.test(p))]))
  // Words of the trainers' synonym groups count as words even where no page uses them (没钱).
  const grouped = new Set(kb.synonyms.flat())
  const known = word => grouped.has(word) || word in lookup(word)
  const stop = new Set(kb.function_words)
  const words = []
  for (const run of parts) {
    const found = /[\u4e00-\u9fff]/.test(run) ? segment(run, known) : [run]
    for (const word of found)
      if (word.length > 1 && !stop.has(word) && !words.includes(word))
        words.push(word)
  }
  const weights = new Map()
  const add = (term, weight) => weights.set(term, Math.max(weights.get(term) || 0, weight))
  const extra = []
  for (const word of words)
    for (const group of kb.synonyms)
      if (group.includes(word))
        for (const other of group)
          if (other !== word) extra.push(other)
  if (extra.length)
    lookup = await load(new Set([...pairs, ...words, ...extra]))
  for (const word of extra)
    add(word, SYNONYM_WEIGHT)
  for (const pair of pairs)
    if (!stop.has(pair))
      add(PAIR + pair, PAIR_WEIGHT)
  for (const word of words) {
    add(word, 1)
    for (const term of Object.keys(lookup(word)))
      if (term.length > word.length && term.startsWith(word))
        add(term, PREFIX_WEIGHT)
  }
  return { words, weights, lookup }
}

function rank(weights, lookup) {
  const scores = new Map()
  for (const [term, weight] of weights) {
    const rows = lookup(term)[term]
    if (!rows)
      continue
    for (let i = 0; i < rows.length; i += 2)
      // Trainer guides are numbered last; agents' searches leave them out.
      if (trainers || rows[i] < kb.first_trainer)
        scores.set(rows[i], (scores.get(rows[i]) || 0) + weight * rows[i + 1])
  }
  return [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])
}

function escape(text) {
  return text.replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" })[c])
}

/* The text as HTML, each occurrence of a query word marked once (longest words first). */
function mark(text, words) {
  const list = [...new Set(words)].filter(word => word.length > 1).sort((a, b) => b.length - a.length)
  if (!list.length)
    return escape(text)
  const pattern = new RegExp(list.map(word => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi")
  let html = ""
  let last = 0
  for (const match of text.matchAll(pattern)) {
    html += escape(text.slice(last, match.index)) + `<mark>${escape(match[0])}</mark>`
    last = match.index + match[0].length
  }
  return html + escape(text.slice(last))
}

async function search(query) {
  const { words, weights, lookup } = await parse(query)
  let ranked = rank(weights, lookup).slice(0, RESULTS)
  const best = ranked.length ? ranked[0][1] : 0
  // Never a list without a lesson: when no lesson matched, the lessons the situations page
  // points to most, and the situations page itself, go before any trainer guide.
  const reference = new Set(kb.reference)
  const isLesson = page => page < kb.first_trainer && !reference.has(page)
  if (!ranked.some(([page]) => isLesson(page)))
    ranked.push(...kb.fallback.filter(page => !ranked.some(([p]) => p === page)).map(page => [page, 0]))
  else if (best < WEAK && kb.situations !== null && !ranked.some(([page]) => page === kb.situations))
    ranked.push([kb.situations, 0])
  const shown = await Promise.all(ranked.map(([page]) => chunk(Math.floor(page / kb.chunk))))
  const highlight = [...weights.keys()].filter(term => !term.startsWith(PAIR))
  return ranked.map(([page, score], i) => {
    const [location, title, description, tags, headings] = shown[i][page % kb.chunk]
    const article = {
      location, title: mark(title, highlight), text: mark(description, highlight),
      tags, score, terms: {}
    }
    const sections = headings
      .filter(([, heading]) => highlight.some(word => word.length > 1 && heading.includes(word)))
      .slice(0, 2)
      .map(([anchor, heading]) => ({
        location: `${location}#${anchor}`, title: mark(heading, highlight), text: "", score: 0, terms: {}
      }))
    return [article, ...sections]
  })
}

addEventListener("message", async event => {
  const message = event.data || {}
  if (message.type === MESSAGE.SETUP) {
    kb = message.data.config.kb
    postMessage({ type: MESSAGE.READY })
  } else if (message.type === MESSAGE.QUERY) {
    const query = String(message.data || "")
    const ticket = ++latest
    let items = []
    try {
      items = query.trim() ? await search(query) : []
    } catch (error) {
      console.warn(`search failed: ${query}`, error)
      items = []
    }
    // Keystrokes arrive faster than shards: only the newest query's answer is shown.
    if (ticket === latest)
      postMessage({ type: MESSAGE.RESULT, data: { items } })
  }
})

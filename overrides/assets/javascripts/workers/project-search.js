/*
 * Project search worker: Material's own worker, with Chinese queries segmented
 * against the index's vocabulary before Lunr runs them.
 *
 * Material segments a query greedily against the index and keeps only what it
 * can match from the start: "客户说手头紧" loses everything after the first
 * unknown piece, and a single indexed character (说, 分) can replace a whole
 * word. Here the query is split into the longest known words (dynamic
 * programming over the vocabulary, prefixes included), single characters and
 * function words are dropped, and each word is searched as itself and as a
 * prefix. The whole phrase is also tried, so a query that equals a lesson's
 * tag still hits it.
 */
"use strict"

const MESSAGE = { SETUP: 0, QUERY: 2 }
const MAX_WORD = 8
// Words that cannot tell lessons apart; trainers list them in search/function-words.txt
// and the build writes them into the index config.
let functionWords = new Set()
// Groups of words searched together (没钱 → 手头紧 …), from search/synonyms.txt.
let synonyms = []

/* Capture Material's message listener so every message passes through here first. */
const addListener = self.addEventListener.bind(self)
let material = null
self.addEventListener = (type, listener, options) => {
  if (type === "message" && material === null)
    material = listener
  else
    addListener(type, listener, options)
}
importScripts(new URL(self.location.href).searchParams.get("material"))
self.addEventListener = addListener

let pending = ""
addListener("message", event => {
  const message = event.data || {}
  if (message.type === MESSAGE.SETUP) {
    const config = message.data.config || {}
    functionWords = new Set(config.function_words || [])
    synonyms = config.synonyms || []
  }
  if (message.type === MESSAGE.QUERY)
    pending = String(message.data || "")
  material(event)
})

/*
 * Vocabulary of an index: the words of titles, text and tag keywords, and
 * their prefixes (Lunr matches prefixes with *). Whole tags are left out: they
 * are phrases, and their prefixes (客户说…) are not words.
 */
const vocabularies = new WeakMap()
function vocabulary(index) {
  let words = vocabularies.get(index)
  if (!words) {
    words = new Set()
    for (const [term, postings] of Object.entries(index.invertedIndex)) {
      if (!["title", "text", "keywords"].some(field => inField(postings, field)))
        continue
      words.add(term)
      for (let end = 2; end < Math.min(term.length, MAX_WORD); end++)
        words.add(term.slice(0, end))
    }
    vocabularies.set(index, words)
  }
  return words
}

function inField(postings, field) {
  return postings[field] !== undefined && Object.keys(postings[field]).length > 0
}

/* Fewest, longest known words covering a run of Han characters. */
function segment(run, words) {
  const cost = new Array(run.length + 1).fill(Infinity)
  const from = new Array(run.length + 1).fill(0)
  cost[0] = 0
  for (let end = 1; end <= run.length; end++)
    for (let start = Math.max(0, end - MAX_WORD); start < end; start++) {
      const word = run.slice(start, end)
      const known = words.has(word)
      const step = word.length > 1 ? (known ? 1 : Infinity) : (known ? 3 : 4)
      if (cost[start] + step < cost[end]) {
        cost[end] = cost[start] + step
        from[end] = start
      }
    }
  const parts = []
  for (let end = run.length; end > 0; end = from[end])
    parts.unshift(run.slice(from[end], end))
  return parts
}

/* The Lunr query for what the agent typed; null to leave Material's own query alone. */
function rewrite(raw, index) {
  const words = vocabulary(index)
  const terms = []
  for (const piece of raw.trim().split(/\s+/)) {
    if (!/\p{sc=Han}/u.test(piece)) {
      if (piece) terms.push(`${piece.replace(/[*+\-:^~]/g, "")}*`)
      continue
    }
    for (const run of piece.match(/\p{sc=Han}+|[^\p{sc=Han}]+/gu)) {
      if (!/\p{sc=Han}/u.test(run)) {
        const latin = run.replace(/[^\p{L}\p{N}]/gu, "")
        if (latin) terms.push(`${latin}*`)
        continue
      }
      const found = segment(run, words).filter(word => word.length > 1 && !functionWords.has(word))
      // A colloquial phrase anywhere in the run brings in its whole group,
      // each member split into the index's words like the query itself.
      for (const group of synonyms)
        if (group.some(word => run.includes(word)))
          for (const member of group)
            found.push(...segment(member, words).filter(w => w.length > 1 && words.has(w) && !functionWords.has(w)))
      for (const word of found)
        terms.push(word, `${word}*`)
      // The phrase as typed: matches a tag written the same way.
      if (run.length > 2)
        terms.push(`${run}*`)
    }
  }
  return terms.length ? [...new Set(terms)].join(" ") : null
}

/*
 * Material highlights and groups every match before it answers, and on a large
 * knowledge base a common word matches thousands of sections: that, not Lunr,
 * is most of a query's time. Only the best matches are ever read. Material then
 * multiplies each score by at most MAX_BOOST (page over section, share of query
 * terms matched), so every match within MAX_BOOST of the RESULT_LIMIT-th score
 * is kept: Material's own first RESULT_LIMIT results come out exactly the same.
 */
const RESULT_LIMIT = 100
const MAX_BOOST = 5

function best(results) {
  if (results.length <= RESULT_LIMIT)
    return results
  const floor = results[RESULT_LIMIT - 1].score / MAX_BOOST
  return results.filter(result => result.score >= floor)
}

const search = self.lunr.Index.prototype.search
self.lunr.Index.prototype.search = function (query) {
  return best(searchAll.call(this, query))
}

function searchAll(query) {
  const rewritten = pending ? rewrite(pending, this) : null
  const results = rewritten ? search.call(this, rewritten) : []
  // Nothing found our way: Material's own query may still find something.
  return results.length ? results : search.call(this, query)
}

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
// Words that carry no topic: what agents type around the real question.
const FUNCTION_WORDS = new Set([
  "怎么", "怎么办", "怎样", "如何", "什么", "为什么", "可以", "能不能", "会不会", "是不是",
  "有没有", "要不要", "一下", "这个", "那个", "我们", "你们", "他们", "她们", "如果", "应该",
  "需要", "哪些", "时候", "的话", "还是", "就是", "已经", "然后", "一直", "这笔"
])

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
  if (event.data && event.data.type === MESSAGE.QUERY)
    pending = String(event.data.data || "")
  material(event)
})

/* Vocabulary of an index: its terms and their prefixes (Lunr matches prefixes with *). */
const vocabularies = new WeakMap()
function vocabulary(index) {
  let words = vocabularies.get(index)
  if (!words) {
    words = new Set()
    for (const term of Object.keys(index.invertedIndex))
      for (let end = 2; end <= Math.min(term.length, MAX_WORD); end++)
        words.add(term.slice(0, end))
    for (const term of Object.keys(index.invertedIndex))
      if (term.length === 1)
        words.add(term)
    vocabularies.set(index, words)
  }
  return words
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
      // The phrase as typed: matches a tag or title written the same way.
      if (run.length > 2) terms.push(`${run}*`)
      for (const word of segment(run, words))
        if (word.length > 1 && !FUNCTION_WORDS.has(word))
          terms.push(word, `${word}*`)
    }
  }
  return terms.length ? [...new Set(terms)].join(" ") : null
}

const search = self.lunr.Index.prototype.search
self.lunr.Index.prototype.search = function (query) {
  const rewritten = pending ? rewrite(pending, this) : null
  return search.call(this, rewritten || query)
}

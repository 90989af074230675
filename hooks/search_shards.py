"""The site's search index, prebuilt and sharded, so a query loads only what it needs.

Material builds a Lunr index in the browser from the whole of
search_index.json: the first result waits for every page's text, and the wait
grows with the library (1.4 s at 38 pages, 4–5 s at 500). Here the build does
that work once:

- every page gets one row per term, its score precomputed (BM25 saturation,
  field boosts, idf), so the browser only adds numbers up;
- rows are grouped by the term's first two characters into shards; a query
  fetches the shards of the character pairs it contains, a handful of small
  files whatever the size of the library;
- what a result shows (title, description, tags, headings) sits in fixed-size
  page chunks, fetched only for the pages in the top results;
- search_index.json, which Material's page script fetches and hands to the
  worker, becomes a small manifest: configuration, synonyms, function words,
  shard and chunk counts, and the fallback pages.

The project's worker (overrides/assets/javascripts/workers/project-search.js)
reads these files; both sides share the tokenization rules below.

Fields and what agents type: lesson titles, the `questions` agents ask for a
lesson, and its `tags` weigh most; headings and the description next; body
text least. Character pairs of the title, questions and tags are indexed too,
so a query in words no lesson uses still reaches the lesson whose questions
share its characters.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# Field weights: what agents type (questions, tags) and titles say most about a page.
BOOSTS = {"title": 6.0, "questions": 6.0, "tags": 5.0, "headings": 2.5, "description": 2.0, "text": 1.0}
PAIR_BOOST = 0.8  # character pairs of title, questions and tags
K1, B = 1.2, 0.75  # BM25 saturation and length normalisation (body text only)
# Rows kept per term, best first: a term on every page says little, and the
# top results never come from its weakest rows.
MAX_ROWS = 400
SHARD_BYTES = 12_000  # target size of one term shard: a query fetches about one per character pair
CHUNK = 16  # pages per display chunk: a query fetches the chunks of its top results only
SCALE = 100  # scores are stored as integers, in hundredths

_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass
class Page:
    """One page as search sees it. Trainer guides (`kind` "trainer") are numbered
    last, so the worker can leave them out of agents' searches."""

    location: str  # site-relative URL, as Material writes it (conduct/opening/)
    title: str
    kind: str  # "lesson", "reference" or "trainer"
    description: str = ""
    tags: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)  # (anchor, heading text)
    text: str = ""  # readable body text, segmented by `fields`
    words: list[str] | None = None  # or the body already segmented


def normalize(text: str) -> str:
    """The form text is indexed and looked up in: NFKC, lower case (the worker does the same)."""
    if not unicodedata.is_normalized("NFKC", text):  # the check is several times cheaper
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def terms(words) -> list[str]:
    """Index terms among words (already normalized): at least two characters, not punctuation."""
    found = []
    for word in words:
        if len(word) < 2:
            continue
        if not (word[0].isalnum() and word[-1].isalnum()):
            word = _EDGES.sub("", word)
            if len(word) < 2 or not _WORD.search(word):
                continue
        found.append(word)
    return found


# Character pairs are stored apart from words (#没钱 beside 没钱): a pair that
# crosses two words (户说) must never be taken for a word when a query is split.
PAIR_MARK = "#"


def pairs(text: str) -> list[str]:
    """Adjacent Chinese character pairs of a short field, marked as pairs."""
    found = []
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        found += [PAIR_MARK + run[i:i + 2] for i in range(len(run) - 1)]
    return found


def shard_key(term: str) -> str:
    return term.removeprefix(PAIR_MARK)[:2]


def shard_of(key: str, shards: int) -> int:
    """FNV-1a over UTF-16 code units, as the worker computes it."""
    value = 0x811C9DC5
    data = key.encode("utf-16-le")
    for index in range(0, len(data), 2):
        value ^= data[index] | (data[index + 1] << 8)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % shards


def build(pages: list[Page], cut, *, function_words: set[str], synonyms: list[list[str]],
          config: dict, fallback: list[str], counted: list[dict] | None = None) -> dict[str, str]:
    """Every file of the index, by path under search/: the manifest
    (search_index.json), term shards (kb/t<n>.json) and page chunks (kb/p<n>.json).
    `cut` segments text into words (jieba, with the project's dictionary);
    `counted` holds each page's `fields`, when another process computed them."""
    if counted is None:
        counted = [fields(page, cut) for page in pages]
    order = sorted(range(len(pages)), key=lambda i: pages[i].kind == "trainer")
    pages = [pages[i] for i in order]
    fields_by_page = [counted[i] for i in order]
    scores = _scores(fields_by_page)
    rows: dict[str, list[tuple[int, int]]] = {}
    for term, postings in scores.items():
        if term.removeprefix(PAIR_MARK) in function_words:
            continue
        if len(postings) > MAX_ROWS:
            postings = dict(sorted(postings.items(), key=lambda item: -item[1])[:MAX_ROWS])
        rows[term] = [(page, int(score * SCALE) or 1) for page, score in sorted(postings.items())]
    size = sum(len(term) * 3 + 8 * len(postings) for term, postings in rows.items())
    shard_count = max(8, math.ceil(size / SHARD_BYTES))
    shards: list[dict[str, list[int]]] = [{} for _ in range(shard_count)]
    for term in sorted(rows):
        shards[shard_of(shard_key(term), shard_count)][term] = [n for row in rows[term] for n in row]
    files = {f"kb/t{n}.json": _dump(shard) for n, shard in enumerate(shards)}
    for start in range(0, len(pages), CHUNK):
        files[f"kb/p{start // CHUNK}.json"] = _dump([_shown(page) for page in pages[start:start + CHUNK]])
    locations = {page.location: number for number, page in enumerate(pages)}
    # Material's page script hands only `config` and `docs` to the worker: the manifest rides in config.
    manifest = {
        "config": {**config, "kb": {
            "version": 1,
            "pages": len(pages),
            "first_trainer": next((n for n, p in enumerate(pages) if p.kind == "trainer"), len(pages)),
            # The few pages that are neither lessons nor trainer guides (home, situations, overviews).
            "reference": [n for n, p in enumerate(pages) if p.kind == "reference"],
            "shards": shard_count,
            "chunk": CHUNK,
            "function_words": sorted(function_words),
            "synonyms": synonyms,
            "fallback": [locations[loc] for loc in fallback if loc in locations],
            "situations": locations.get("situations/"),
        }},
        "docs": [],  # the worker needs no page text up front
    }
    files["search_index.json"] = _dump(manifest)
    return files


def fields(page: Page, cut) -> dict[str, Counter]:
    """Each field's terms with their counts. Counting first and filtering the distinct
    words after is what keeps this cheap: a page has thousands of words, a few hundred distinct."""
    def counted(words) -> Counter:
        # Count first, then normalise and filter only the distinct words.
        counts: Counter = Counter()
        for word, n in Counter(words).items():
            for term in terms([normalize(word)]):
                counts[term] += n
        return counts

    def words(text: str) -> Counter:
        return counted(cut(normalize(text)))

    joined = "\n".join
    short = [page.title, *page.tags, *page.questions]
    return {
        "title": words(page.title),
        "questions": words(joined(page.questions)),
        "tags": words(joined(page.tags)),
        "headings": words(joined(h for _, h in page.headings)),
        "description": words(page.description),
        "text": counted(page.words if page.words is not None else cut(normalize(page.text))),
        "pairs": Counter(dict.fromkeys((p for text in short for p in pairs(normalize(text))), 1)),
    }


def _scores(fields: list[dict[str, Counter]]) -> dict[str, dict[int, float]]:
    """term -> page -> score: Σ over fields of boost × BM25 saturation, times idf."""
    count = len(fields)
    average = sum(f["text"].total() for f in fields) / max(count, 1) or 1.0
    raw: dict[str, dict[int, float]] = defaultdict(dict)
    for page, by_field in enumerate(fields):
        sums: dict[str, float] = defaultdict(float)
        for name, counts in by_field.items():
            if name == "pairs":
                for pair in counts:
                    sums[pair] += PAIR_BOOST
                continue
            boost = BOOSTS[name]
            norm = K1 * (1.0 - B + B * counts.total() / average if name == "text" else 1.0)
            for term, tf in counts.items():
                sums[term] += boost * tf * (K1 + 1) / (tf + norm)
        for term, value in sums.items():
            raw[term][page] = value
    for term, postings in raw.items():
        idf = math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
        for page in postings:
            postings[page] *= idf
    return raw


def _shown(page: Page) -> list:
    return [page.location, page.title, page.description, page.tags, [list(h) for h in page.headings], page.kind]


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


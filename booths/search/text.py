"""Words as the search sees them, and what a typed query asks for.

Texts are searched in two languages with no stemming, so both sides go through the same plain
steps: lower case, accents off, every run of letters and digits a word (:func:`normalise`). A query
becomes a list of :class:`Concept` — what the visitor typed, one word or a phrase, with the
alternatives any of which may match it: the synonyms the office keeps (kopi, coffee), the word
meant when it was mistyped (battik, batik), or the words it begins (bat…, batik). The engines
(booths.search.engines) turn the concepts into their own query language: every concept must match,
any of its alternatives will do.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W_]+")
# Words too common to narrow a search, in both languages; a query of nothing else keeps them.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "with",
        "in",
        "on",
        "to",
        "from",
        "by",
        "or",
        "at",
        "is",
        "are",
        "this",
        "that",
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "yang",
        "dengan",
        "atau",
        "ini",
        "itu",
        "pada",
    ]
)
MIN_TERM = 3  # shorter words are kept in the index but never looked up, completed or corrected
MAX_TERM = 64
MIN_TYPO = 4  # a mistyped word this long or longer may be put right
TYPO_RATIO = 0.8  # how close (difflib's ratio) a known word must be to count as what was meant
MAX_CONCEPTS = 12  # a query's words past this many are ignored (the field allows 100 characters)


def normalise(text: str) -> str:
    """Lower case, accents off, words separated by one space: ``"Kopi Lereng, Kafé!"`` →
    ``"kopi lereng kafe"``."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    plain = (text or "").casefold()
    if not plain.isascii():  # most texts are: they skip the slow part
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain)


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The words of ``texts`` (already normalised) that typos and unfinished words are matched
    against."""
    found: set[str] = set()
    for text in texts:
        found.update(w for w in text.split() if MIN_TERM <= len(w) <= MAX_TERM)
    return found


Phrase = tuple[str, ...]


def phrases_of(line: str) -> list[Phrase]:
    """A synonym row's comma-separated phrases, each normalised into its words; empty ones go."""
    found: list[Phrase] = []
    for part in line.split(","):
        phrase = tuple(words(part))
        if phrase and phrase not in found:
            found.append(phrase)
    return found


@dataclass(frozen=True)
class Synonyms:
    """The office's synonym rows as lookups: each phrase to every phrase of its rows."""

    groups: Mapping[Phrase, tuple[Phrase, ...]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def of(cls, rows: Iterable[str]) -> Synonyms:
        groups: dict[Phrase, list[Phrase]] = {}
        for row in rows:
            phrases = phrases_of(row)
            if len(phrases) < 2:
                continue
            for phrase in phrases:
                known = groups.setdefault(phrase, [])
                known.extend(p for p in phrases if p not in known)
        longest = max((len(p) for p in groups), default=1)
        return cls({p: tuple(g) for p, g in groups.items()}, longest)

    def words(self) -> set[str]:
        """The one-word phrases, for putting typos right even when the catalogue lacks them."""
        return {p[0] for p in self.groups if len(p) == 1 and len(p[0]) >= MIN_TERM}


@dataclass(frozen=True)
class Alternative:
    """One way a concept may match: a word or a phrase; ``prefix``: its last word may go on."""

    words: Phrase
    prefix: bool = False


@dataclass
class Concept:
    """What the visitor typed (a word, or a phrase the synonyms know) and how it may match."""

    typed: Phrase
    alternatives: list[Alternative]
    known: bool = True  # False: nothing in the catalogue can match it
    corrected: str = ""  # the word meant, when the typed one was put right

    @property
    def word(self) -> str:
        return self.typed[0]

    @property
    def looked_up(self) -> bool:
        """Whether the catalogue's words decide this concept (one plain word, no synonyms)."""
        return len(self.alternatives) == 1 and len(self.typed) == 1 and _lookable(self.word)


def _lookable(word: str) -> bool:
    return len(word) >= MIN_TERM and not word.isdigit()


def concepts(query: str, synonyms: Synonyms) -> list[Concept]:
    """The query's concepts before the catalogue's words are consulted: stopwords out (unless
    nothing else is left), the longest phrase the synonyms know taken first."""
    typed = words(query)
    kept = [w for w in typed if w not in STOPWORDS] or typed
    found: list[Concept] = []
    i = 0
    while i < len(kept) and len(found) < MAX_CONCEPTS:
        for size in range(min(synonyms.longest, len(kept) - i), 0, -1):
            phrase = tuple(kept[i : i + size])
            group = synonyms.groups.get(phrase)
            if group:
                found.append(Concept(phrase, [Alternative(p) for p in group]))
                i += size
                break
        else:
            found.append(Concept((kept[i],), [Alternative((kept[i],))]))
            i += 1
    return found


def lookups(found: Sequence[Concept]) -> list[str]:
    """The words whose near and longer forms the engine must fetch from the catalogue."""
    return list(dict.fromkeys(c.word for c in found if c.looked_up))


def settle(
    found: list[Concept], candidates: Mapping[str, Sequence[str]], synonyms: Synonyms
) -> list[Concept]:
    """Decide the looked-up words with the catalogue's ``candidates`` for each (its near and longer
    words): a word it has is kept; an unfinished one also matches the words it begins; a mistyped
    one matches the closest word (and that word's synonyms). Words the catalogue cannot match are
    dropped, unless nothing else is left: then the search finds nothing, as it should."""
    spare = synonyms.words()
    for concept in found:
        if not concept.looked_up:
            continue
        word = concept.word
        near = candidates.get(word, ())
        if word in near:
            continue
        alternatives = []
        if any(term.startswith(word) for term in near):
            alternatives.append(Alternative((word,), prefix=True))
        meant = _closest(word, [*near, *spare]) if len(word) >= MIN_TYPO else None
        if meant is not None:
            concept.corrected = meant
            alternatives += [Alternative(p) for p in synonyms.groups.get((meant,), ((meant,),))]
        if alternatives:
            concept.alternatives = alternatives
        else:
            concept.known = False
    return [c for c in found if c.known] or found


def _closest(word: str, terms: Iterable[str]) -> str | None:
    best, best_ratio = None, TYPO_RATIO
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)  # the matcher keeps what it learnt of the second sequence
    for term in sorted(set(terms)):
        if abs(len(term) - len(word)) > 2:
            continue
        matcher.set_seq1(term)
        ratio = matcher.ratio()
        if ratio > best_ratio or (ratio == best_ratio and best is None):
            best, best_ratio = term, ratio
    return best


def is_empty(found: Sequence[Concept]) -> bool:
    """True when nothing of the query can match: the search finds nothing without asking."""
    return not found or not all(c.known for c in found)

"""The words the relation cues read: verbs of speech, honorifics, copulas, time modifiers, role heads.

Every list holds comparison forms (:func:`compact`: normalised, without ZWNJ
and spaces), so a lookup matches however the text was typed. The relation
rules (:mod:`persnews.relations`), the officials stage and the consistency
stage read the same lists.

>>> compact("علي رضا") == compact("علی‌رضا")
True
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalization import normalize_string, without_zwnj


@lru_cache(maxsize=100_000)
def compact(text: str) -> str:
    """The comparison form of a word or name: normalised, without ZWNJ and spaces.

    Typists write «علی‌رضا», «علیرضا» and «علي رضا» for the same name.

    >>> compact("علي رضا") == compact("علی‌رضا")
    True
    """
    return without_zwnj(text).replace(" ", "")


_WORD_BREAKS = re.compile(r"[\s،,؛;:()\[\]«»\"\-–—]+")


def compact_words(text: str) -> tuple[str, ...]:
    """The words of a name, role or institution in comparison form, punctuation left out.

    >>> compact_words("اتاق بازرگانی، صنایع") == ("اتاق", "بازرگانی", "صنایع")
    True
    """
    return tuple(w for w in (compact(p) for p in _WORD_BREAKS.split(normalize_string(text))) if w)


def _phrases(*phrases: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(compact(w) for w in p.split()) for p in phrases)


SPEECH_VERBS = _phrases(
    "گفت", "گفتند", "افزود", "می‌گوید", "گفته است", "اظهار کرد", "اظهار داشت", "بیان کرد", "بیان داشت",
    "تصریح کرد", "خاطرنشان کرد", "خاطر نشان کرد", "عنوان کرد", "اعلام کرد", "یادآور شد", "ادامه داد",
    "تاکید کرد", "تأکید کرد", "توضیح داد", "اضافه کرد", "اذعان کرد", "ابراز کرد", "اعلام داشت",
    "یادآوری کرد", "توصیه کرد", "انتقاد کرد", "گلایه کرد", "پیشنهاد کرد", "خبر داد", "هشدار داد")
"""Verbs of speech and report («از ... خبر داد»); a sentence with one quotes its subject."""
SPEECH_HEADS = frozenset(v[0] for v in SPEECH_VERBS)

HONORIFICS = frozenset(compact(w) for w in (
    "آقای", "آقا", "خانم", "جناب", "سرکار", "دکتر", "مهندس", "حجت‌الاسلام", "حجت‌الاسلام‌والمسلمین",
    "والمسلمین", "آیت‌الله", "حاج", "حاجیه", "استاد", "سردار", "سرلشکر", "سرتیپ", "سرهنگ", "سرگرد",
    "سروان", "ستوان", "تیمسار", "امیر", "دریادار"))
"""Titles that stand between a role and a name but are no part of either (guidelines, rule 1)."""

AS_ROLE = _phrases("به عنوان", "به‌عنوان", "بعنوان", "به سمت", "به‌سمت", "در سمت", "در مقام", "به مقام")
"""«PER ... به عنوان ROLE»: the words that give a person the role that follows."""

AGENT_WORDS = frozenset(compact(w) for w in (
    "حکم", "سوی", "توسط", "دستور", "پیشنهاد", "طرف", "دعوت", "ابلاغ", "گزارش"))
"""A role right after these («با حکم شهردار، X ...», «به گزارش خبرنگار ایسنا، X ...») names the
agent or source of the act, not the title of the name that follows."""

QUOTES = frozenset({"«", "»", '"', "'", "“", "”", "‘", "’"})
"""Quote marks around a name or an institution («" جیمز کومی " رئیس پلیس فدرال») join nothing and
separate nothing: gaps are read without them, like honorifics."""
APPOSITION = frozenset({("،",), (",",), ("-",), ("–",), ("—",), ("(",)})
TITLE_SEPARATORS = frozenset({("،",), (",",), (":",), ("-",), ("–",), ("—",), ("(",)})
"""«ROLE ORG، PER», captions «گزارشگر: PER», and a name in brackets after its title «سرپرست پرسپولیس (PER)»."""
DEMONSTRATIVES = frozenset({"این", "همین", "آن"})
ITS = "آن"
"""«رئیس کمیسیون اقتصادی آن»: "its", the institution mentioned last."""
ALSO = frozenset({"نیز", "هم"})
OBJECT = "را"
"""The mark of a definite direct object: «Y را» after a title is what the verb acts on."""
COPULAS = frozenset(compact(w) for w in (
    "است", "شد", "شدند", "هست", "هستند", "باشد", "خواهد", "شده", "می‌شود", "ماند"))
"""«X ... سخنگوی شورا خواهد بود»: a role right before one of these is predicated of the subject
(«بود» only after an earlier-office phrase: «X که پیش از این معاون شهرداری بود», a former office)."""
PAST_COPULAS = frozenset(compact(w) for w in ("بود", "بوده"))
PLURAL_COPULAS = frozenset(compact(w) for w in (
    "شدند", "هستند", "خواهند", "شده‌اند", "می‌شوند", "گردیدند", "باشند"))
PREPOSITIONS = frozenset({("به",), ("با",), ("از",), ("برای",), ("در",)})
"""«... به خبرنگار ایسنا گفت»: a role after a preposition is rarely the title of a name beside it."""
FORMER_WORDS = frozenset(compact(w) for w in ("پیشین", "سابق", "اسبق", "قبلی", "وقت"))
"""«شهردار پیشین», «وزیر وقت»: the person no longer holds the office (comparison forms; the layer's
``collect`` marks the relations of such roles ``former`` by the same words)."""
EARLIER_PHRASES = tuple(tuple(compact(w) for w in phrase.split()) for phrase in ("پیش از این", "قبلا", "سابقا"))
"""«X که پیش از این معاون ... بود»: an office held earlier, said before the title («قبلاً» loses its tanwin
in :func:`compact`)."""

COMPLEMENT_ENDS = frozenset({"،", ",", "و", ":"})
FUNCTION_WORDS = frozenset(compact(w) for w in (
    "در", "با", "از", "به", "برای", "که", "را", "تا", "نیز", "هم", "همچنین", "این", "آن", "همین", "او", "وی",
    "خود", "است", "بود", "شد")) | {v[0] for v in SPEECH_VERBS} | FORMER_WORDS
"""Words that are never part of a role's complement or of a description beside a name."""

REPRESENTATIVE = compact("نماینده")
ROLE_ADJECTIVES = frozenset(compact(w) for w in (
    "جدید", "منتخب", "موقت", "روستای", "شهرستان", "شهر", "استان", "بخش"))
"""Words that may stand between a role and its institution: «مدیرعامل جدید باشگاه پرسپولیس»,
«دهیار روستای قلعه نو» (a place word the annotators left outside the LOC). Besides these, any one
plain word that is not a function word, a verb or a time word, with these or not («رئیس جمهور کنونی آمریکا», «عضو دیگر
شورای مرکزی», «مربی تاجیکستانی تیم ملی», «سرمربی هلندی سابق بارسلونا»)."""
NOT_MODIFIERS = frozenset(compact(w) for w in (
    "امروز", "دیروز", "فردا", "امسال", "اکنون", "هم‌اکنون", "اینک", "پیش", "قبل", "بعد", "سپس", "هنوز", "کرد",
    "کردند", "دارد", "داشت", "نمود", "گذشته", "صبح", "شب", "عصر", "ظهر", "روز"))
"""Plain words that are no modifier of a role, so never join it to an ORG/LOC after them."""
OFFICE_HEADS = frozenset(compact(w) for w in (
    "وزیر", "شهردار", "استاندار", "فرماندار", "بخشدار", "دادستان", "سفیر", "رئیس‌جمهور", "رئیس‌جمهوری",
    "دبیرکل", "نخست‌وزیر"))
"""A role that names another office after its first word («معاون وزیر کشور», «معاون دبیر کل») says whose
it is (guidelines, rule 3), so it takes no institution from the roles coordinated after it."""
STATE_OFFICES = frozenset(compact(w) for w in (
    "نخست‌وزیر", "رئیس‌جمهور", "رئیس‌جمهوری", "وزیر", "پادشاه", "شاه", "سفیر", "سناتور"))
"""Offices of a state: their institution is a country or place, never an ORG shared from a coordinated
role («نخست‌وزیر و فرمانده کل نیروهای مسلح عراق»)."""
GENERIC_BODIES = frozenset(compact(w) for w in ("دانشگاه", "حوزه", "دانشکده", "مدرسه", "بیمارستان"))
"""«استاد دانشگاه»: a role that ends in the kind of its body is complete without a named one."""
PEOPLE = compact("مردم")
RELATIONAL_HEADS = frozenset(compact(w) for w in (
    "معاون", "مشاور", "قائم‌مقام", "سخنگو", "سخنگوی", "دستیار", "جانشین", "منشی", "وکیل"))
"""Roles held for someone: a name right after one with no institution is whose it is («معاون ترامپ»,
«مشاور رسانه‌ای احمدی‌نژاد», as «معاون شهردار» in guidelines rule 3), not its holder."""

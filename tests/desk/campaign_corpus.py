"""A seeded corpus of form-letter campaigns among distinct comments, in English and Khmer.

Three campaigns (two English letters, one Khmer) of ``variants`` copies each, every
copy with 1 to 5 words replaced, inserted or deleted, among ``distinct`` comments
written independently (random sentences over a shared vocabulary, a third in Khmer).
Generated, not stored: the same seed gives the same corpus, and the benchmark asks
for 20,000 comments from the same generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ENGLISH_WORDS = [
    "article",
    "law",
    "draft",
    "ministry",
    "court",
    "judge",
    "police",
    "data",
    "personal",
    "privacy",
    "freedom",
    "expression",
    "information",
    "internet",
    "computer",
    "system",
    "offence",
    "criminal",
    "penalty",
    "fine",
    "prison",
    "year",
    "month",
    "day",
    "citizen",
    "right",
    "protect",
    "public",
    "society",
    "organisation",
    "company",
    "business",
    "economy",
    "investigation",
    "warrant",
    "surveillance",
    "press",
    "journalist",
    "clear",
    "power",
    "authority",
    "must",
    "should",
    "not",
    "and",
    "or",
    "which",
    "because",
    "all",
    "new",
    "old",
    "large",
    "small",
    "important",
    "manage",
    "implement",
    "consultation",
    "provision",
    "international",
    "standard",
    "security",
    "technology",
    "community",
    "children",
    "women",
    "study",
    "university",
    "bank",
    "telephone",
    "operator",
    "service",
    "network",
    "platform",
    "content",
    "remove",
    "block",
    "access",
    "account",
    "password",
    "evidence",
    "seize",
    "search",
    "device",
    "storage",
    "cloud",
    "server",
    "provider",
    "user",
    "consent",
    "notice",
    "appeal",
    "review",
    "oversight",
    "independent",
    "commission",
    "report",
    "annual",
    "budget",
    "training",
    "capacity",
    "definition",
    "scope",
    "intent",
    "knowingly",
    "reasonable",
    "proportionate",
    "necessary",
    "legitimate",
    "aim",
    "harm",
    "victim",
    "fraud",
    "forgery",
    "hacking",
    "interception",
    "malware",
    "attack",
    "infrastructure",
    "critical",
    "bank",
    "payment",
    "card",
    "identity",
    "theft",
    "defamation",
    "insult",
    "false",
    "news",
    "rumour",
    "order",
    "suspend",
    "licence",
    "register",
    "retention",
    "period",
    "delete",
    "request",
    "transfer",
    "border",
    "cooperation",
    "treaty",
    "mutual",
    "assistance",
    "jurisdiction",
    "territory",
    "foreign",
    "national",
    "resident",
    "visitor",
    "student",
    "teacher",
    "farmer",
    "worker",
    "union",
    "association",
    "assembly",
    "protest",
    "peaceful",
    "religion",
    "culture",
    "language",
    "minority",
    "rural",
    "urban",
    "province",
    "district",
    "commune",
    "village",
    "family",
    "parent",
    "child",
    "guardian",
    "school",
    "hospital",
    "doctor",
    "patient",
    "health",
    "record",
    "medical",
    "insurance",
    "tax",
    "customs",
    "trade",
    "export",
    "import",
    "market",
    "price",
    "consumer",
    "product",
    "quality",
    "safety",
    "label",
    "advertising",
    "election",
    "vote",
    "candidate",
    "party",
]

KHMER_WORDS = [
    "ច្បាប់",
    "មាត្រា",
    "ជំពូក",
    "ក្រសួង",
    "រដ្ឋាភិបាល",
    "ប្រជាពលរដ្ឋ",
    "សិទ្ធិ",
    "សេរីភាព",
    "ព័ត៌មាន",
    "ទិន្នន័យ",
    "ផ្ទាល់ខ្លួន",
    "ការពារ",
    "ឯកជនភាព",
    "តុលាការ",
    "ចៅក្រម",
    "ប៉ូលិស",
    "អ៊ីនធឺណិត",
    "កុំព្យូទ័រ",
    "ប្រព័ន្ធ",
    "បទល្មើស",
    "ព្រហ្មទណ្ឌ",
    "ទោស",
    "ពិន័យ",
    "ឆ្នាំ",
    "ខែ",
    "ថ្ងៃ",
    "យើង",
    "ខ្ញុំ",
    "សូម",
    "ស្នើ",
    "លុប",
    "កែប្រែ",
    "បន្ថែម",
    "ច្បាស់លាស់",
    "អំណាច",
    "អាជ្ញាធរ",
    "សាធារណៈ",
    "សង្គម",
    "អង្គការ",
    "ក្រុមហ៊ុន",
    "អាជីវកម្ម",
    "សេដ្ឋកិច្ច",
    "ដីកា",
    "សារព័ត៌មាន",
    "អ្នកកាសែត",
    "និង",
    "ឬ",
    "ដែល",
    "ត្រូវ",
    "មិន",
    "គួរ",
    "ជា",
    "នៃ",
    "ក្នុង",
    "ដើម្បី",
    "ពីព្រោះ",
    "ទាំងអស់",
    "ថ្មី",
    "ចាស់",
    "ធំ",
    "តូច",
    "សំខាន់",
    "គ្រប់គ្រង",
    "អនុវត្ត",
    "អន្តរជាតិ",
    "ស្តង់ដារ",
    "សុវត្ថិភាព",
    "បច្ចេកវិទ្យា",
    "សហគមន៍",
    "កុមារ",
    "ស្ត្រី",
    "សិក្សា",
    "ធនាគារ",
    "ទូរស័ព្ទ",
    "សេវាកម្ម",
    "គណនី",
    "ភស្តុតាង",
    "ឧបករណ៍",
    "អ្នកប្រើប្រាស់",
    "ការយល់ព្រម",
    "ការប្តឹងឧទ្ធរណ៍",
    "ឯករាជ្យ",
    "គណៈកម្មការ",
    "របាយការណ៍",
    "ថវិកា",
    "ការបណ្តុះបណ្តាល",
    "និយមន័យ",
    "វិសាលភាព",
    "ចេតនា",
    "សមហេតុផល",
    "ចាំបាច់",
    "ជនរងគ្រោះ",
    "ការក្លែងបន្លំ",
    "ហេដ្ឋារចនាសម្ព័ន្ធ",
    "ខេត្ត",
    "ស្រុក",
    "ឃុំ",
    "ភូមិ",
    "គ្រួសារ",
    "សាលារៀន",
    "មន្ទីរពេទ្យ",
    "វេជ្ជបណ្ឌិត",
    "សុខភាព",
    "ពន្ធ",
    "ពាណិជ្ជកម្ម",
    "ទីផ្សារ",
]

CAMPAIGN_LETTERS = {
    "privacy": (
        "en",
        "We the undersigned citizens write about the draft law on cybercrime. Article 12 lets "
        "the police search any computer or telephone without a warrant from a judge. This "
        "power is too broad and it puts the privacy of every family at risk. We ask the "
        "ministry to require a warrant from an independent court before any search, to tell "
        "the person whose device was searched within thirty days, and to delete data that is "
        "not needed for the investigation. Please protect our right to privacy.",
    ),
    "expression": (
        "en",
        "As journalists and members of civil society we are concerned that Article 20 of the "
        "draft makes it a crime to publish false information without defining what is false or "
        "who decides. Honest reporting and ordinary opinions could be punished with prison. "
        "We urge the drafters to remove the offence of false information, or at least to limit "
        "it to statements made knowingly that cause serious and proven harm, and to let a court "
        "rather than a ministry decide each case.",
    ),
    "khmer": (
        "km",
        "យើងខ្ញុំជាប្រជាពលរដ្ឋ សូមផ្តល់មតិយោបល់លើសេចក្តីព្រាងច្បាប់ស្តីពីបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន។ "
        "មាត្រា ១២ អនុញ្ញាតឱ្យប៉ូលិសឆែកឆេរកុំព្យូទ័រ និងទូរស័ព្ទ ដោយគ្មានដីកាពីតុលាការ។ "
        "អំណាចនេះធំពេក ហើយប៉ះពាល់ដល់ឯកជនភាពរបស់គ្រួសារទាំងអស់។ យើងខ្ញុំសូមស្នើឱ្យក្រសួង "
        "តម្រូវឱ្យមានដីកាពីចៅក្រមឯករាជ្យ មុនពេលឆែកឆេរ ហើយលុបទិន្នន័យដែលមិនចាំបាច់សម្រាប់ការស៊ើបអង្កេត។ "
        "សូមការពារសិទ្ធិឯកជនភាពរបស់ប្រជាពលរដ្ឋ និងសេរីភាពក្នុងការបញ្ចេញមតិ។",
    ),
}


@dataclass(frozen=True)
class CorpusComment:
    key: int
    text: str
    language: str
    campaign: str | None  # None for a distinct comment


def _split(text: str, language: str) -> list[str]:
    # Khmer letters are edited at ICU word boundaries, as a person editing them would.
    if language == "km":
        from core.segment import words

        return words(text, "km")
    return text.split(" ")


def _join(pieces: list[str], language: str) -> str:
    return ("" if language == "km" else " ").join(pieces)


def _edit(letter: str, language: str, rng: random.Random) -> str:
    """The letter with 1 to 5 words replaced, inserted or deleted."""
    pieces = _split(letter, language)
    vocabulary = KHMER_WORDS if language == "km" else ENGLISH_WORDS
    for _edit_number in range(rng.randint(1, 5)):
        position = rng.randrange(len(pieces))
        operation = rng.choice(("replace", "insert", "delete"))
        if operation == "replace":
            pieces[position] = rng.choice(vocabulary)
        elif operation == "insert":
            pieces.insert(position, rng.choice(vocabulary))
        elif len(pieces) > 10:
            del pieces[position]
    if language == "km":
        return _join(pieces, language)
    return _join([p for p in pieces if p], language)


def _distinct(rng: random.Random, language: str) -> str:
    vocabulary = KHMER_WORDS if language == "km" else ENGLISH_WORDS
    sentences = []
    for _sentence in range(rng.randint(2, 6)):
        sentence = [rng.choice(vocabulary) for _word in range(rng.randint(6, 18))]
        if language == "km":
            sentences.append(" ".join(sentence) + "។")
        else:
            sentences.append(" ".join(sentence).capitalize() + ".")
    return " ".join(sentences)


def corpus(*, distinct: int = 2000, variants: int = 200, seed: int = 19) -> list[CorpusComment]:
    """The campaigns' variants and the distinct comments, shuffled, numbered from 1."""
    rng = random.Random(seed)
    items: list[tuple[str, str, str | None]] = []
    for name, (language, letter) in CAMPAIGN_LETTERS.items():
        items.extend((_edit(letter, language, rng), language, name) for _copy in range(variants))
    for index in range(distinct):
        language = "km" if index % 3 == 0 else "en"
        items.append((_distinct(rng, language), language, None))
    rng.shuffle(items)
    return [
        CorpusComment(key=number, text=text, language=language, campaign=campaign)
        for number, (text, language, campaign) in enumerate(items, 1)
    ]

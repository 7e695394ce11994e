"""Who speaks or acts in each sentence of an article, as a reader would name them.

News copy names the actor in a few places: an attribution after a quote ("…," Lavrov said /
said Foreign Minister Sergei Lavrov), a trailing attribution ("…, the union said"), "according
to X", or the subject of the main clause when its verb is one of speech or of an act ("The
board rejected …", "Thailand's chief negotiator told reporters …", "Pakistan frees …"). A
pronoun or a bare title ("He added", "the group said") stands for the last actor named. A
sentence whose main verb is neither ("Talks resumed on Monday", "The draft would see …")
names nobody.
"""

from __future__ import annotations

import re

# Verbs of speech and of the acts of GUIDELINES §1-3, in the forms news copy uses.
_ACT_VERB_WORDS = (
    r"said|says|say|told|tells|tell|added|adds|stated|states|declared|declares|announced|"
    r"announces|argued|argues|argue|noted|notes|warned|warns|warn|insisted|insists|insist|"
    r"acknowledged|acknowledges|reiterated|reiterates|replied|replies|responded|responds|wrote|"
    r"writes|posted|tweeted|confirmed|confirms|denied|denies|deny|stressed|stresses|maintained|"
    r"maintains|conceded|concedes|admitted|admits|claimed|claims|explained|explains|suggested|"
    r"suggests|signalled|signaled|signals|indicated|indicates|predicted|predicts|expects|expected|"
    r"believes|believe|fear|fears|feared|hope|hopes|hoped|welcomed|welcomes|welcome|praised|"
    r"criticised|criticized|criticises|criticizes|accused|accuses|described|describes|called|"
    r"calls|call|urged|urges|urge|demanded|demands|demand|pressed|presses|press|asked|asks|ask|"
    r"ordered|orders|appealed|appeals|sought|seeks|seek|seeking|wants|want|wanted|agreed|agrees|"
    r"agree|accepted|accepts|accept|offered|offers|offer|pledged|pledges|pledge|promised|"
    r"promises|promise|allowed|allows|lifted|lifts|eased|eases|released|releases|freed|frees|"
    r"reopened|reopens|granted|grants|approved|approves|approve|signed|signs|sign|dropped|drops|"
    r"withdrew|withdraws|rejected|rejects|reject|refused|refuses|refuse|dismissed|dismisses|"
    r"vetoed|vetoes|ruled|rules|turned|turns|opposed|opposes|oppose|declined|declines|blocked|"
    r"blocks|walked|walks|reneged|boycotted|boycotts|threatened|threatens|threaten|vowed|vows|"
    r"vow|proposed|proposes|propose|submitted|tabled|filed|files|sued|sues|appealed|plans|plan|"
    r"planned|intends|decided|decides|voted|votes|vote|backed|backs|brushed|spurned|spurns|"
    r"rebuffed|rebuffs|snubbed|snubs|slammed|slams|gave|gives|set|sets|put|puts|made|makes|"
    r"imposed|imposes|settled|settles|paid|pays|extended|extends|suspended|suspends|cancelled|"
    r"canceled|cancels|halted|halts|launched|launches|joined|joins|delivered|delivers|lodged|"
    r"lodges|issued|issues|raised|raises|cut|cuts|recognised|recognized|recognises|recognizes|"
    r"defended|defends|estimates|estimated|halves|halved|doubled|doubles|insists|vetoes|"
    r"moved|moves|struck|reached|reaches|held|holds|kept|keeps|stuck|sticks|remained|remains|"
    r"stood|stands"
)
# Auxiliaries and modals: they end a subject too, and the word after them says what the act is.
_AUXILIARIES = (
    r"will|would|won't|wouldn't|could|can|cannot|can't|must|should|has|have|had|is|are|was|were|"
    r"did|does|do|doesn't|didn't"
)
_VERBS = f"{_ACT_VERB_WORDS}|{_AUXILIARIES}"
# What may stand between a subject and its verb: auxiliaries, adverbs, a day.
_BETWEEN = (
    r"(?:(?:has|have|had|also|again|repeatedly|still|already|now|so\s+far|not|never|"
    r"previously|publicly|formally|quickly|on\s+\w+|late\s+on\s+\w+|earlier|later|this\s+week|"
    r"last\s+week|on\s+the\s+same\s+day)\s+)*"
)
_QUOTE_CLOSE = r"[”\"’']"
# A name or a noun phrase that can be an actor: capitalised words with their small linking
# words, or a phrase led by an article or a possessive.
_NAME = (
    r"(?:[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|of|the|de|da|del|al|bin|von|van|and|for|on|ul))*)"
)
_PHRASE = (
    r"(?:(?:the|a|an|its|their|his|her|one|two|three|several|some|many)\s+[\w'’.&,\s-]{1,80}?)"
)
_ACTOR = rf"(?:{_NAME}(?:['’]s?\s+[\w'’.&\s-]{{1,60}}?)?|{_PHRASE}|he|she|they|we|it|I)"

# "…," Lavrov said. / "…," said Foreign Minister Sergei Lavrov. / "…," the union said in a statement.
_AFTER_QUOTE = re.compile(
    rf"[,.!?—-]\s*{_QUOTE_CLOSE}\s*,?\s*(?:[^,.;!?\"“”]{{1,80}}?,\s*(?P<n>{_NAME}),\s+{_BETWEEN}"
    rf"(?:said|says|told|added)|(?P<a>[^,.;!?\"“”]{{1,80}}?)\s+{_BETWEEN}(?:said|"
    rf"says|told|added|adds|wrote|replied|insisted|warned|argued|declared|stated)|(?:said|says|"
    rf"added|told)\s+(?P<b>[^,.;!?\"“”]{{1,80}}))"
)
# …, the union said on Friday. / …, Lavrov told reporters. / …, according to the ministry.
_TRAILING = re.compile(
    rf"(?<!which)(?<!who)(?<!that),\s*(?:(?P<a>{_ACTOR})\s+{_BETWEEN}(?:said|says|told|added|"
    rf"wrote|reported|announced|confirmed|argued|warned)(?:\s+[^,.;]{{0,40}})?|(?:said|says|"
    rf"added)\s+(?P<b>{_ACTOR})|according\s+to\s+(?P<c>{_ACTOR}))[.!?]?\s*$"
)
# A dateline ("GENEVA —", "BUENOS AIRES, Nov 4 —") or a live blog's time ("10:05 —").
_LEAD_IN = re.compile(
    r"^(?:\d{1,2}[:.]\d{2}\s*(?:a\.m\.|p\.m\.|am|pm|GMT|CET|UTC)?\s*[—–-]+\s*|[A-Z][A-Z .,'/-]{2,40}"
    r"(?:,\s*\w+\.?\s*\d{1,2})?\s*(?:\((?:Reuters|AP|AFP|UPI|dpa|Bloomberg)\)\s*)?[—–-]+\s*)?"
    r"(?:[\w ]{0,20}:\s+)?"
)
# "… was rejected by Serra Azul's directors": the agent of a passive act.
_PASSIVE = re.compile(
    r"\b(?:was|were|has\s+been|have\s+been|had\s+been|is|are)\s+(?:\w+ly\s+)?\w+(?:ed|en)\s+by\s+"
    r"(?P<a>(?:the\s+|a\s+|an\s+)?[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|of|the|and|"
    r"[a-z]+(?=\s+[A-Z])))*(?:['’]s\s+\w+)?)"
)
# "said the alliance's secretary general, Joost Verhaegen," : the name after a title.
_NAMED_AFTER = re.compile(rf",\s*(?P<n>{_NAME})(?:,|\s*[.;]|\s+(?:who|said|told)\b|$)")
# An opening phrase before the subject: "Earlier on Thursday,", "In a brief statement,",
# "Leaving the venue in Putrajaya,", "After months of talks,".
_OPENER = re.compile(
    r"^(?:(?:earlier|later|meanwhile|separately|however|also|still|in|on|at|after|before|according|"
    r"during|for|with|without|despite|since|by|under|speaking|leaving|asked|writing|"
    r"responding|addressing)\b[^,;:\"“”]{0,70},\s+)",
    re.IGNORECASE,
)
# Adverbs and times that stand between a subject and its verb, left out of the subject.
_TRAILING_ADVERBS = re.compile(
    r"(?:\s+(?:\w+ly|also|again|still|already|now|repeatedly|on|late|"
    r"early|last|this|earlier|later|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"week|month|year|morning|afternoon|evening|night|today|yesterday))+$",
    re.IGNORECASE,
)
# A parenthesis between the subject and its verb ("An ad hoc group of bondholders, which
# includes several funds, said"; "Tuvalu's prime minister, speaking for the forum, said").
_PARENTHESIS = re.compile(
    r"^\s*,\s*(?:who|which|whose|including|speaking|led|representing|a|an|the|many|some)\b"
    r"(?:[^,]|,(?=\d)){1,160},"
)
_WORDS = re.compile(r"\([^()]{0,60}\)|[\w'’.&-]+|[,;:\"“”()]")
_VERB = re.compile(rf"^(?:{_VERBS})$", re.IGNORECASE)
# Words after which the next one is no verb ("the proposed tower", "its rejected offer").
_NO_VERB_AFTER = re.compile(
    r"^(?:the|a|an|its|their|his|her|our|this|that|these|those|any|every|no|of|for|to|in|on|"
    r"with|by|from|and|or|new|first|second|last|earlier|latest|revised|final|initial|fresh|"
    r"further|previous|original|joint|formal|improved|\d[\d,.%]*|\w+['’]s)$",
    re.IGNORECASE,
)
# Other verbs that end a subject but report neither speech nor an act ("Shares rose").
_OTHER_VERB = re.compile(
    r"^(?:\w+ed|rose|rises|fell|falls|came|comes|went|goes|began|begins|took|takes|met|meets|"
    r"left|leaves|ran|runs|grew|grows|saw|sees|became|becomes|found|finds|spoke|speaks|sat|"
    r"sits|cost|costs|lies|lay|got|gets|seemed|seems|looks|remain|follows?|includes?)$",
    re.IGNORECASE,
)


def _main_subject(body: str) -> tuple[str, str, str] | None:
    """(subject, verb, what follows it) of the main clause, or None: the words before its
    first verb (a parenthesis between commas skipped), as long as no other punctuation or a
    verb of another kind comes first."""
    position = 0
    words: list[str] = []
    for match in _WORDS.finditer(body):
        word = match.group()
        if word in (",",) and words:
            parenthesis = _PARENTHESIS.match(body[match.start() :])
            if parenthesis:
                position = match.start() + parenthesis.end()
                continue
        if match.start() < position:
            continue
        if word.startswith("("):  # "(UNPI)": part of the name
            continue
        if not word[0].isalnum():
            return None
        previous = words[-1] if words else ""
        in_name = word[0].isupper() and previous[:1].isupper()  # "United States", not "states"
        if (
            words
            and not in_name
            and not _NO_VERB_AFTER.match(previous)
            and (_VERB.match(word) or _OTHER_VERB.match(word))
        ):
            subject = _TRAILING_ADVERBS.sub("", " ".join(words))
            return subject, word, body[match.end() :]
        words.append(word)
        if len(words) > 14:
            return None
    return None


# "Liga F's director general, Pilar Serrano, said" : the name in apposition.
_APPOSITION = re.compile(rf"^[^,]{{2,80}},\s*(?P<n>{_NAME}),\s+{_BETWEEN}(?:{_VERBS})\b")
_PRONOUNS = {"he", "she", "they", "we", "it", "i"}
# Subjects that name no actor: the content of a proposal, a state of the talks, a place.
_NOT_ACTORS = re.compile(
    r"^(?:the\s+|a\s+|an\s+|this\s+|that\s+|these\s+|those\s+)?(?:\w+\s+){0,2}(?:plan|proposal|"
    r"draft|deal|agreement|framework|offer|text|bill|package|accord|memorandum|terms|settlement|"
    r"treaty|talks|negotiations|meeting|round|summit|move|decision|dispute|strike|walkout|row|"
    r"vote|law|rules?|case|process|ceasefire|truce|budget|tax|tariffs?|ban|cap|price|"
    r"prices|money|figure|figures|cost|costs|debt|report|statement|letter|document|survey|"
    r"poll|data|shares|bonds|stocks|markets?|reserves|inflation|exports|imports|output|"
    r"production|economy|rate|rates|deadline|hearing|ruling|verdict|findings|day|week|year|"
    r"there|it|this|that|which|what|neither|both|nobody|no\s+one|neither\s+side)$",
    re.IGNORECASE,
)
# Verbs that report a speaker or an act; "is", "has", "would" alone do not.
_ACT_VERBS = re.compile(rf"^(?:{_ACT_VERB_WORDS})$", re.IGNORECASE)


def _clean(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,")
    return re.sub(r"^(?:The|A|An)\s", lambda m: m.group().lower(), name)


def speaker(sentence: str, previous: str | None = None) -> str | None:
    """Who ``sentence`` quotes or reports as acting, if it names them; a pronoun takes
    ``previous`` (the last actor named before it)."""
    text = sentence.strip()
    quoted = _AFTER_QUOTE.search(text)
    if quoted:
        named = _NAMED_AFTER.match(text[quoted.end() :])
        found = named.group("n") if named else next(g for g in quoted.groups() if g)
        return _resolved(found, previous)
    body = _OPENER.sub("", _LEAD_IN.sub("", text, count=1), count=1)
    apposed = _APPOSITION.match(body)
    if apposed:
        return _resolved(apposed.group("n"), previous)
    found = _main_subject(body)
    trailing = _TRAILING.search(text) or _PASSIVE.search(text)
    if not found:
        return _resolved(next(g for g in trailing.groups() if g), previous) if trailing else None
    subject, verb, rest = found
    if verb.lower() in ("was", "were", "is", "are", "has", "have", "had") and re.match(
        r"\s*(?:been\s+)?(?:\w+ly\s+)?\w+(?:ed|en)\s+by\s", rest
    ):
        passive = _PASSIVE.search(body)  # "… was rejected by Serra Azul's directors"
        return _resolved(passive.group("a"), previous) if passive else None
    if not _ACT_VERBS.match(verb):
        # An auxiliary: look one word on ("has not said", "would not sign", "is seeking").
        skip = ("not", "also", "yet", "never", "to", "still", "already", "now", "repeatedly")
        words = [w for w in rest.split()[:4] if w.lower() not in skip]
        if not words or not _ACT_VERBS.match(words[0].strip(",.;:")):
            found = None
    if found is None or _NOT_ACTORS.match(subject.strip()) or subject.lower() in ("the", "a", "an"):
        return _resolved(next(g for g in trailing.groups() if g), previous) if trailing else None
    return _resolved(subject, previous)


# The last word of these names is no surname: "the Argentine Football Association".
_BODIES = re.compile(
    r"\b(?:Ministry|Union|Association|Commission|Council|Party|Bank|Government|Forces|Front|"
    r"Committee|Court|Office|Authority|Agency|Fund|Organi[sz]ation|Federation|Group|Forum|"
    r"League|Club|Company|Corporation|Department|Board|Assembly|Parliament|Congress|States|"
    r"Nations|Kingdom|Republic|Alliance|Movement|Service|Services|Institute|Centre|Center|"
    r"Programme|Program|Mission|Coalition|Bureau|Inc|Ltd|Cie|AG|SA|PLC)\b"
)
_PERSON = re.compile(r"^(?:[A-Z][\w'’.-]*\s+){1,5}[A-Z][\w'’-]+$")
# A title in lower case, then a person's name: "union leader Mara Quist".
_TITLED = re.compile(r"(?:^|\s)[a-z][\w-]*\s+(?P<name>(?:[A-Z][\w'’.-]*\s+){1,3}[A-Z][\w'’-]+)$")


def _resolved(found: str, previous: str | None) -> str | None:
    """A pronoun as the previous speaker; a person named with title and first name by the
    surname ("U.S. President Donald Trump" and "Trump" are one speaker)."""
    found = _clean(found)
    if found.lower() in _PRONOUNS:
        return previous
    if _PERSON.match(found) and not _BODIES.search(found):
        return found.split()[-1]
    titled = _TITLED.search(found)  # "Union leader Mara Quist"
    if titled and not _BODIES.search(titled.group("name")):
        return titled.group("name").split()[-1]
    return found


def speakers(sentences: list[str]) -> list[str | None]:
    """The speaker of each sentence of an article, in order (`speaker`, carrying the last
    named speaker to a pronoun)."""
    found: list[str | None] = []
    previous = None
    for sentence in sentences:
        who = speaker(sentence, previous)
        previous = who or previous
        found.append(who)
    return found


_POSSESSIVE_END = re.compile(r"(?:['’]s?)$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def _speaker_words(name: str) -> list[str]:
    name = _LEADING_ARTICLE.sub("", name.strip())
    return [_POSSESSIVE_END.sub("", w).lower() for w in re.findall(r"[\w'’.-]+", name)]


def same_speaker(found: str | None, gold: str | None) -> bool:
    """Does ``found`` name the speaker an annotator wrote as ``gold``? Both empty, or the
    last word of one among the words of the other ("Lavrov" for "Sergei Lavrov", "the
    union" for "the nurses' union"); case, leading articles and possessives aside."""
    found_words, gold_words = _speaker_words(found or ""), _speaker_words(gold or "")
    if not found_words or not gold_words:
        return not found_words and not gold_words
    return found_words[-1] in gold_words or gold_words[-1] in found_words

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
    r"acknowledged|acknowledges|reiterated|reiterates|replied|replies|responded|responds|"
    r"wrote|writes|posted|tweeted|confirmed|confirms|denied|denies|deny|stressed|stresses|"
    r"maintained|maintains|estimate|conceded|concedes|admitted|admits|claimed|claims|"
    r"explained|explains|suggested|suggests|signalled|signaled|signals|indicated|indicates|"
    r"predicted|predicts|expects|expected|believes|believe|fear|fears|feared|hope|hopes|hoped|"
    r"welcomed|welcomes|welcome|praised|criticised|criticized|criticises|criticizes|accused|"
    r"accuses|described|describes|called|calls|call|urged|urges|urge|demanded|demands|demand|"
    r"pressed|presses|press|asked|asks|ask|ordered|orders|appealed|appeals|sought|seeks|seek|"
    r"seeking|wants|want|wanted|agreed|agrees|agree|accepted|accepts|accept|offered|offers|"
    r"offer|pledged|pledges|pledge|promised|promises|promise|allowed|allows|lifted|lifts|"
    r"eased|eases|released|releases|freed|frees|reopened|reopens|granted|grants|approved|"
    r"approves|approve|signed|signs|sign|dropped|drops|withdrew|withdraws|rejected|rejects|"
    r"reject|refused|refuses|refuse|dismissed|dismisses|vetoed|vetoes|ruled|rules|turned|"
    r"turns|opposed|opposes|oppose|declined|declines|blocked|blocks|walked|walks|reneged|"
    r"boycotted|boycotts|threatened|threatens|threaten|vowed|vows|vow|proposed|proposes|"
    r"propose|submitted|tabled|filed|files|sued|sues|plans|plan|planned|intends|decided|"
    r"decides|voted|votes|vote|backed|backs|brushed|spurned|spurns|rebuffed|rebuffs|snubbed|"
    r"snubs|slammed|slams|gave|gives|put|puts|made|makes|imposed|imposes|settled|settles|paid|"
    r"pays|extended|extends|suspended|suspends|cancelled|canceled|cancels|halted|halts|"
    r"launched|launches|joined|joins|delivered|delivers|lodged|lodges|issued|issues|raised|"
    r"raises|cut|cuts|recognised|recognized|recognises|recognizes|defended|defends|estimates|"
    r"estimated|halves|halved|doubled|doubles|moved|moves|struck|reached|reaches|kept|keeps|"
    r"stuck|sticks|note|complained|complains|complain|ratified|ratifies|ratify|spurn|rebuff|"
    r"handed|given|condemned|condemns|condemn|questioned|questions|convened|convenes|provided|"
    r"signal|accuse|criticise|criticize|praise|dismiss|offering|demanding|pressing|pushing|"
    r"calling|urging|refusing|rejecting|asking|threatening|insisting|proposing|opposing|"
    r"backing|vowing|pledging|promising|warning|saying|telling|agreeing|accepting|resisting|"
    r"resists|resisted|resist|countered|counters|retorted|objected|objects|object|endorsed|"
    r"endorses|endorse|adopted|adopts|adopt|abstain|abstains|abstained|repeated|repeats|sided|"
    r"cleared|clears|capped|freezes|froze|shut|shuts|closed|closes|recognise|recognize|"
    r"withdraw|snub|slam|scraps|scrapped|unveiled|unveils|unveil|announce|confirm|admit|walk|"
    r"block|recommended|recommends|recommend|stopped|stops|directed|directs|thanked|thanks|"
    r"expelled|expels|expel|stayed|defies|defied|defy|banned|bans|floated|floats|played|point|"
    r"pointed|points|throws|threw|gavelled|gaveled|vented|barred|bars|bar|summoned|summons|"
    r"recalled|recalls|resumed|resumes|restarted|restored|restores|tightened|tightens|relaxed|"
    r"reversed|reverses|overturned|overturns|upheld|upholds|fined|fines|sanctioned|lowered|"
    r"lowers|postponed|delayed|abandoned|abandons|ended|ends|hinted|hints|circulated|"
    r"denounced|denounces|denounce|passed|passes|revoked|revokes|secured|secures|withheld|"
    r"withholds|downgraded|lobbied|lobbies|pulled|opened|accusing|withdrawn|written|frozen|"
    r"spoken|back|breaks|broke|expect|requested|requests|request|ignored|ignores|intend|"
    r"calculated|calculates"
)
# Auxiliaries and modals: they end a subject too, and the word after them says what the act is.
_AUXILIARIES = (
    r"will|would|won't|wouldn't|could|can|cannot|can't|must|should|has|have|had|is|are|was|were|"
    r"did|does|do|doesn't|didn't|may|might"
)
_VERBS = f"{_ACT_VERB_WORDS}|{_AUXILIARIES}"
_AUXILIARY = re.compile(rf"^(?:{_AUXILIARIES})$", re.IGNORECASE)
# What may stand between a subject and its verb: auxiliaries, adverbs, a day.
_BETWEEN = (
    r"(?:(?:has|have|had|yet|also|again|repeatedly|still|already|now|so\s+far|long|not|never|"
    r"previously|publicly|formally|quickly|on\s+\w+|late\s+on\s+\w+|earlier|later|this\s+week|"
    r"last\s+week|on\s+the\s+same\s+day)\s+)*"
)
_QUOTE_CLOSE = r"[”\"’']"
# A name or a noun phrase that can be an actor: capitalised words with their small linking
# words, or a phrase led by an article or a possessive.
_NAME = (
    r"(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*|(?:al|el|ul|bin|ibn|de|da|van|von|le|la)-[A-ZÀ-ÖØ-Þ][\w'’.&-]*|"
    r"of|the|de|da|del|al|bin|von|van|and|for|on|ul))*)"
)
_PHRASE = (
    r"(?:(?:the|a|an|its|their|his|her|one|two|three|several|some|many)\s+[\w'’.&,\s-]{1,80}?)"
)
_ACTOR = (
    rf"(?:{_NAME}(?:['’]s?\s+[\w'’.&\s-]{{1,60}}?)?|{_NAME}(?:\s+[a-z][\w'’-]+){{1,2}}|{_PHRASE}|"
    rf"he|she|they|we|it|I)"
)  # … "UN officials", "Western diplomats"

# "…," Lavrov said. / "…," said Foreign Minister Sergei Lavrov. / "…," the union said in a statement.
_AFTER_QUOTE = re.compile(
    rf"[,.!?—-]\s*{_QUOTE_CLOSE}\s*,?\s*(?:[^,.;!?\"“”]{{1,80}}?,\s*(?P<n>{_NAME}),\s+{_BETWEEN}"
    rf"(?:said|says|told|added)|(?P<a>[^,.;!?\"“”]{{1,80}}?)\s+{_BETWEEN}(?:said|"
    rf"says|told|added|adds|wrote|replied|insisted|warned|argued|declared|stated)|(?:said|says|"
    rf"added|told)\s+(?P<b>[^,.;!?\"“”]{{1,80}}))"
)
# "…, said the union's general secretary." : a name, or a phrase of a few words.
_SHORT_ACTOR = rf"(?:{_NAME}|(?:the|a|an|its|their|his|her|one|two|three)\s+[\w'’.&-]+(?:\s+[\w'’.&-]+){{0,6}})"
# A noun phrase in lower case with no article ("city officials", "people close to him").
_BARE = (
    r"(?!(?:and|but|or|which|who|whom|whose|that|while|as|so|it|this|these|those|there|where|"
    r"whatever|whoever|what|however|since|after|before|has|have|had|is|are|was|were|will|"
    r"would|did|does|do|not|"
    r"when|if|though|although|because|since|then|yet)\b)[a-z][\w'’.\s-]{1,60}?"
)
# …, the union said on Friday. / …, Lavrov told reporters. / …, according to the ministry. /
# …, city officials said. (after a comma a bare noun phrase is a speaker too)
_TRAILING = re.compile(
    rf"(?<!which)(?<!who)(?<!that),\s*(?:(?P<a>{_ACTOR}|{_BARE})\s+{_BETWEEN}"
    rf"(?:said|says|say|told|tell|added|wrote|reported|announced|confirmed|argued|argue|warned|"
    rf"warn|believe|believes)(?:\s+[^,.;]{{0,80}})?|(?:said|says|added)\s+(?P<b>{_SHORT_ACTOR})|"
    rf"according\s+to\s+(?P<c>{_ACTOR}|{_BARE}))(?:,\s+(?:and|but|which|while|although|though|"
    rf"as|provided|if|unless|after|before|when|with|\w+ing)\b[^\"“”]*)?[.!?]?\s*$"
)
# "…, said Arjun Mehta, a consultant in Dubai, and …": an attribution inside the sentence.
_SAID_BY = re.compile(
    rf",\s+(?:said|says|added)\s+(?P<a>(?:[a-z][\w-]*\s+){{0,3}}{_NAME})\s*,|"
    rf",\s+according\s+to\s+(?P<c>{_ACTOR}|{_BARE})\s*,"
)
# S4: "…, and officials said …" / "…; analysts warn …": a second clause's speaker, taken when
# the main clause has none.
_SECOND_CLAUSE = re.compile(
    rf"(?:,\s*(?:and|but|while|though|although|as|whereas|with)\s+|;\s*|\s+but\s+)"
    rf"(?P<a>(?:the\s+)?(?:[\w'’.&-]+\s+){{0,5}}?[\w'’.&-]+?)\s+{_BETWEEN}"
    rf"(?:said|says|say|told|tell|added|warned|warn|argued|argue|insisted|insist|hope|hoped|"
    rf"admit|admitted|complained|complain|declined|dismissed|rejected|refused|urged|called|"
    rf"demanded|welcomed|accused|criticised|criticized|believe|believes|fear|fears|saying|"
    rf"expect|expects|stressed|insisted|insist|proposed|threatened|resisted|conceded|describe|"
    rf"described|pledged|vowed|offered|tells|ruled|questioned|agreed)\b"
)
# S3: a main verb that reports no act: an unmet one, or one others expect.
_UNMET = re.compile(
    r"^\s*(?:(?:not|yet\s+to|still\s+not|so\s+far\s+not|not\s+yet)\s+(?:yet\s+)?(?:said|"
    r"responded|commented|disclosed|indicated|given|announced|confirmed|decided|ruled|"
    r"released|set|made|published|replied|signed|named|explained|specified|respond|reply|"
    r"comment|say|disclose|give|decide|rule|sign|return|set)\b|(?:widely\s+)?(?:expected|"
    r"due|scheduled|set|likely|poised|slated|unlikely)\s+(?:to|in|at|back|on)\b|(?:estimated|thought|"
    r"believed|said|reported|understood|known|alleged)\s+to\b|(?:so\s+far\s+)?(?:given|shown|"
    r"made|offered)\s+no\b)",
    re.IGNORECASE,
)
_UNMET_AFTER = ("has", "have", "had", "is", "are", "was", "were", "did", "does", "do")
# "Under Ontario law, landlords can seek …": a rule described (S3), nobody's act.
_RULE_OPENER = re.compile(
    r"^(?:under|according\s+to)\s+[^,]{0,80}?\b(?:law|laws|rules?|code|constitution|chapter|article|"
    r"section|clause|regulations?|procedure|treaty|statute|act|charter|terms|system|scheme|framework|orders|"
    r"agreement|deal|plan|undertakings|contract|pact|accord)\b[^,]{0,60},",
    re.IGNORECASE,
)

# A dateline ("GENEVA —", "BUENOS AIRES, Nov 4 —") or a live blog's time ("10:05 —").
_LEAD_IN = re.compile(
    r"^(?:\d{1,2}[:.]\d{2}\s*(?:a\.m\.|p\.m\.|am|pm|GMT|CET|UTC)?(?:,\s*[A-Z][a-z]{2,4}\.?\s*\d{1,2})?"
    r"\s*[—–-]+\s*|[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ .,'/-]{2,40}"
    r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?\.?(?:\s*\d{1,2})?)?\s*(?:\((?:Reuters|AP|AFP|UPI|dpa|Bloomberg)\)\s*)?[—–-]+\s*)?"
    r"(?:[\w '’]{0,20}:\s+)?"
)
# "… was rejected by Serra Azul's directors": the agent of a passive act.
_PASSIVE = re.compile(
    r"\b(?:was|were|has\s+been|have\s+been|had\s+been|is|are)\s+(?:\w+ly\s+)?(?P<act>\w+(?:ed|en))\s+by\s+"
    r"(?!(?:the\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|May|June|July|August|September|October|November|December|end|time)\b)"
    r"(?P<a>(?:the\s+|a\s+|an\s+)?[A-ZÀ-ÖØ-Þ][\w'’.&-]*(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*|of|the|and|"
    r"[a-z]+(?=\s+[A-Z])))*(?:['’]s\s+\w+)?)"
)
# "said the alliance's secretary general, Joost Verhaegen," : the name after a title.
_NAMED_AFTER = re.compile(rf",\s*(?P<n>{_NAME})(?:,|\s*[.;]|\s+(?:who|said|told)\b|$)")
# An opening phrase before the subject: "Earlier on Thursday,", "In a brief statement,",
# "Leaving the venue in Putrajaya,", "After months of talks,".
_OPENER = re.compile(
    r"^(?:(?:but|and|yet|so)\s+)?(?:(?:(?:moments|minutes|hours|days|weeks|shortly|soon)\s+(?:later|after|afterwards)|"
    r"(?:earlier|later|late|early)\s+(?:on|in|this|that|last)\s+(?:the\s+)?(?:\w+)|"
    r"(?:on|last|this)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?)"
    r"(?:,\s+|\s+(?=(?:the|a|an|its|his|her|their)\s|[A-ZÀ-ÖØ-Þ]))|"
    r"(?:earlier|later|meanwhile|separately|however|also|still|in|on|at|after|before|according|"
    r"during|for|with|without|despite|since|by|under|speaking|leaving|asked|writing|"
    r"responding|addressing|if|unless|when|while|although|though|once|until|because|as|"
    r"with|amid|instead|unlike|like)\b[^,;:\"“”]{0,90},\s+)?",
    re.IGNORECASE,
)
# An adverb in -ly: not "family", "ally", "assembly", nor a name ("Italy", "Kelly").
_ADVERB = r"(?!(?:family|ally|assembly|monopoly|supply|rally|tally|anomaly|bully|reply)\b)(?-i:[a-z])\w*ly"
# Adverbs and times that stand between a subject and its verb, left out of the subject.
_TRAILING_ADVERBS = re.compile(
    rf"(?:\s+(?:{_ADVERB}|also|again|still|already|now|repeatedly|on|late|"
    r"early|last|this|earlier|later|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"week|month|year|morning|afternoon|evening|night|today|yesterday))+$",
    re.IGNORECASE,
)
# A parenthesis between the subject and its verb ("An ad hoc group of bondholders, which
# includes several funds, said"; "Tuvalu's prime minister, speaking for the forum, said").
_PARENTHESIS = re.compile(
    r"^\s*,\s*(?:who|which|whose|including|speaking|led|representing|a|an|the|many|some|one|"
    r"among|both|each|itself|themselves|by\s+contrast|in\s+turn|now|[A-ZÀ-ÖØ-Þ][\w.-]*['’]s|"
    r"however|though|meanwhile|too|for\s+its\s+part|for\s+their\s+part|in\s+an?|in\s+its|"
    r"in\s+a|\w+ed|caught|owed|seen|known|long|where|\d+)\b"
    r"(?:[^,]|,(?=\d)){0,160},"
)
# "Andrew Kessell, managing director of the Corvale Group, said": a title after a name, taken
# for a parenthesis only when a verb of speech follows it.
_TITLE_AFTER_NAME = re.compile(
    r"^\s*,\s*[a-z][^,]{0,120},(?:\s*(?:who|which|whose)\b[^,]{0,140},)?(?=\s+(?:has\s+|had\s+)?"
    r"(?:\w+ly\s+)?(?:said|says|told|tells|added|urged|called|warned|insisted|denounced|argued)\b)"
)
_WORDS = re.compile(r"\([^()]{0,60}\)|\d{1,3}(?:,\d{3})+|[\w'’.&-]+|[,;:\"“”()]")
_VERB = re.compile(rf"^(?:{_VERBS})$", re.IGNORECASE)
# Words after which the next one is no verb ("the proposed tower", "its rejected offer").
_NO_VERB_AFTER = re.compile(
    r"^(?:the|a|an|its|their|his|her|our|this|that|these|those|any|every|no|of|for|to|in|on|"
    r"with|by|from|and|or|new|first|second|last|earlier|latest|revised|final|initial|fresh|"
    r"further|previous|original|joint|formal|improved|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|both|all|\d[\d,.%]*|\w+['’]s|\w+s['’])$",
    re.IGNORECASE,
)
# Other verbs that end a subject but report neither speech nor an act ("Shares rose").
_OTHER_VERB = re.compile(
    r"^(?:\w+ed|rose|rises|fell|falls|came|comes|come|went|goes|began|begins|took|takes|met|meets|"
    r"left|leaves|ran|runs|grew|grows|saw|sees|became|becomes|found|finds|spoke|speaks|sat|"
    r"sits|cost|costs|lies|lay|got|gets|seemed|seems|looks|remain|remains|remained|follows?|"
    r"includes?|held|holds|hold|set|sets|meet|stood|stands|owns|own|allows|allow|scraps|"
    r"handles|accounts|employs|operates|supplies|produces|needs|need|needed|requires|require|"
    r"required|date|dates)$",
    re.IGNORECASE,
)


# Words a subject does not hold: when one turns up, the main verb was missed ("The concession
# ends more than a decade of talks in which Riyadh …").
_SUBJECT_CLAUSE = re.compile(
    r"\b(?:which|that|after|before|when|while|whose|whom|as|because|since|if|unless|until|"
    r"though|although)\b|"
    r"\b(?:in|by|for)\s+which\b"
)


# A participle before "by" inside a subject: "Tenants in flats owned by Northgate have told …".
_PARTICIPLE_BY = re.compile(
    r"^\s+by\s+(?:the\s+|a\s+)?[\w'’.&-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.&-]*)*\s+(?:in\s+\w+\s+)?(?:have|has|had|are|were|said|say|says|told)\b"
)
# A would-be verb followed by an auxiliary is a noun: "Morocco's autonomy plan would give …".
_NOUN_BEFORE = re.compile(
    r"^\s+(?:would|will|is|was|has|had|does|did|could|can|may|must|should|are|were|have)\b"
)


# Words that are nouns as often as verbs: after a singular noun or an adjective they are the
# noun ("the investment plan", "the Colombian plan", "a guarded welcome").
_NOUN_VERBS = frozenset(
    [
        "plan",
        "offer",
        "call",
        "demand",
        "vote",
        "pledge",
        "promise",
        "appeal",
        "cut",
        "ban",
        "freeze",
        "cap",
        "threat",
        "bid",
        "deal",
        "welcome",
        "press",
        "push",
        "request",
    ]
)
_ADJECTIVE = re.compile(r"^(?:[A-Z]\w*(?:an|ese|ish|i)|\w+ed)$")
_NATIONALITY = re.compile(r"^[A-Z]\w*(?:ian|ese|ish|i)$")  # "Indian", not "Yerevan"


def _noun_after_singular(previous: str, word: str) -> bool:
    """Is ``word`` a noun here? A bare verb form cannot follow a singular noun as its verb."""
    if previous.lower() in _PRONOUNS:
        return False
    if word.lower() in _NOUN_VERBS:
        singular = previous[:1].islower() and not previous.endswith("s")
        return singular or bool(_ADJECTIVE.match(previous))
    # "The Indian requests": a plural after an adjective ("The union offers" is a verb)
    plural = word.lower()[:-1] in _NOUN_VERBS and word.endswith("s")
    return plural and bool(_NATIONALITY.match(previous))


# An article straight after a noun opens a clause: "the plan the ministry released".
_CONTACT_CLAUSE = re.compile(
    r"^\S+.*?\b(?!(?:of|and|or|for|at|in|on|with|from|to|by|between|near|over|about|than|like|as|"
    r"including|under|against|after|before|among|via|behind|outside|inside|within|into)\s)"
    r"(?![a-z][\w-]*ing\s)[a-z][\w-]*\s+(?:the|a|an)\s",
)


def _main_subject(body: str) -> tuple[str, str, str] | None:
    """(subject, verb, what follows it) of the main clause, or None: the words before its
    first verb (a parenthesis between commas skipped), as long as no other punctuation or a
    verb of another kind comes first."""
    position = 0
    words: list[str] = []
    for match in _WORDS.finditer(body):
        word = match.group()
        if match.start() < position:
            continue
        if word in (",",) and words:
            parenthesis = _PARENTHESIS.match(body[match.start() :]) or _TITLE_AFTER_NAME.match(
                body[match.start() :]
            )
            if parenthesis:
                position = match.start() + parenthesis.end()
                continue
        if word.startswith("("):  # "(UNPI)": part of the name
            continue
        if not (word[0].isalnum() or word == "&"):  # "Halvorsen & Co"
            return None
        previous = words[-1] if words else ""
        in_name = word[0].isupper() and previous[:1].isupper()  # "United States", not "states"
        if words and word.lower() in ("he", "she", "it", "they"):
            return None  # a second clause began: "Iran seizes tankers it accuses of …"
        if (
            words
            and not in_name
            and not _noun_after_singular(previous, word)
            and (
                not _NO_VERB_AFTER.match(previous)
                or (previous[0].isdigit() and _AUXILIARY.match(word))
            )
            and (_VERB.match(word) or _OTHER_VERB.match(word))
            and (_AUXILIARY.match(word) or not _NOUN_BEFORE.match(body[match.end() :]))
            and not (_PARTICIPLE_BY.match(body[match.end() :]) and word.lower().endswith("ed"))
        ):
            subject = _TRAILING_ADVERBS.sub("", " ".join(words))
            if _SUBJECT_CLAUSE.search(subject) or _CONTACT_CLAUSE.search(subject):
                return None  # a verb we do not know was passed over, or a clause began
            return subject, word, body[match.end() :]
        words.append(word)
        if len(words) > 14:
            return None
    return None


# "Liga F's director general, Pilar Serrano, said" : the name in apposition.
_APPOSITION = re.compile(
    rf"^[^,]{{2,80}},\s*(?P<n>(?:the\s+)?{_NAME}),(?:\s*(?:who|whose|which)\b[^,]{{0,140}},)?\s+{_BETWEEN}"
    rf"(?P<v>{_VERBS})\b"
)
_PRONOUNS = {"he", "she", "they", "we", "it", "i"}
# Subjects that name no actor: the content of a proposal, a state of the talks, a place.
_NOT_ACTORS = re.compile(
    r"^(?:(?:neither|no|none)\b.*|(?:the\s+|a\s+|an\s+|this\s+|that\s+|these\s+|those\s+)?"
    r"(?:[\w'’-]+\s+){0,4}(?:plan|proposal|sum|amount|ransom|fee|fees|wage|wages|rent|rents|grant|"
    r"pledge|lines|sides|seats|partnership|venture|contract|programme|project|scheme|"
    r"mechanism|arrangement|protocol|resolutions?|order|injunction|"
    r"draft|deal|agreement|framework|offer|text|bill|package|accord|memorandum|terms|settlement|"
    r"treaty|talks|negotiations|meeting|round|summit|move|decision|dispute|strike|walkout|row|"
    r"vote|law|rules?|case|process|ceasefire|truce|budget|tax|tariffs?|ban|cap|price|"
    r"prices|money|figure|figures|cost|costs|debt|report|statement|letter|document|survey|"
    r"poll|data|shares|bonds|stocks|markets?|reserves|inflation|exports|imports|output|"
    r"filings?|papers|documents?|records?|video|footage|notice|minutes|transcript|website|"
    r"reports|statements|letters|estimates|calculations|count|tally|tallies|reckoning|numbers|"
    r"statistics|projections|analysis|research|"
    r"production|economy|rate|rates|deadline|hearing|ruling|verdict|findings|day|week|year|"
    r"days|weeks|months|years|hours)s?|"
    r"there|it|this|that|which|what|both|nobody|no\s+one)$",
    re.IGNORECASE,
)


# Both sides at once (S3): "the two sides", "both governments", "Bulgaria and Turkey agree".
_BOTH_SIDES = re.compile(
    r"^(?:(?:the\s+)?(?:two|both)\b.*|(?:the\s+)?[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.-]*)*\s+and\s+"
    r"(?:the\s+)?[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.-]*)*)$"
)
_JOINT_ACTS = re.compile(
    r"^(?:agree|agreed|agrees|signed|sign|signs|met|meet|meets|reached|"
    r"concluded|initialled|initialed|struck|settled)$",
    re.IGNORECASE,
)


# What follows a head noun: "people close to the talks", "experts watching the hearing".
_POST_MODIFIER = re.compile(
    r"\s+(?:of|at|in|for|from|on|with|near|between|over|about|since|to|close|familiar|involved|"
    r"who|that|watching|following|attending|monitoring|briefed|representing|working)\s+"
)
_NO_HEAD = frozenset(["the", "a", "an", "much", "most", "part", "half", "all", "rest", "none"])


def _is_actor(subject: str) -> bool:
    """Can ``subject`` name an actor? A name ending in a capital ("Living Rent", "the Fund")
    can; "the revised plan", "Shares", "there" cannot."""
    head = _POST_MODIFIER.split(subject.strip(), maxsplit=1)[0]  # "the chair of the talks"
    words = head.split()
    if len(words) > 1 and words[-1][:1].isupper():
        return True
    return not _NOT_ACTORS.match(head) and head.lower() not in _NO_HEAD


# Verbs that report a speaker or an act; "is", "has", "would" alone do not.
_ACT_VERBS = re.compile(rf"^(?:{_ACT_VERB_WORDS})$", re.IGNORECASE)


# Words that make a would-be attribution a clause ("…, its first offer since the strike was
# announced"): no speaker's name holds them.
_CLAUSE_WORD = re.compile(
    r"\b(?:was|were|is|are|been|be|would|will|could|should|has|have|had|did|does|can|may|might|"
    r"must|since|after|before|when|while|until|because|whatever|who|\w+\s+(?:it|they|he|she|we)|"
    r"which|that)\b",
    re.IGNORECASE,
)


def _document(source: str) -> str:
    """A source's head noun phrase without what follows it: "a statement issued in Antigua"
    is a statement."""
    return re.split(
        r"\s+(?:issued|released|filed|seen|published|sent|posted|circulated|"
        r"from|by|of|to|with|on|in)\b",
        source.strip(),
        maxsplit=1,
    )[0]


_SENTENCE_STOP = re.compile(
    r"(?<!\b[A-Z])(?<!\bJr)(?<!\bSr)(?<!\bInc)(?<!\bCo)(?<!\bLtd)(?<!\bCorp)(?<!\.\w)\.$"
)


def _clean(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,")
    name = _SENTENCE_STOP.sub("", name)  # "Fiona Hartigan.", "Lionel Ng." but not "Jr.", "U.S."
    return re.sub(r"^(?:The|A|An)\s", lambda m: m.group().lower(), name)


def speaker(sentence: str, previous: str | None = None) -> str | None:
    """Who ``sentence`` quotes or reports as acting, if it names them; a pronoun takes
    ``previous`` (the last actor named before it). GUIDELINES §6b, rules S1-S5, in order."""
    text = sentence.strip()
    quoted = _AFTER_QUOTE.search(text)
    if quoted:  # "…," Lavrov said.
        named = _NAMED_AFTER.match(text[quoted.end() :])
        found = named.group("n") if named else next(g for g in quoted.groups() if g)
        if found.lower() not in ("and", "but", "or", "which", "who"):
            return _resolved(found, previous)
    lead = _LEAD_IN.sub("", text, count=1)
    body = _OPENER.sub("", lead, count=1)
    actor = None if _RULE_OPENER.match(lead) else _main_actor(body)
    source = _attribution(text) or _leading_attribution(lead)
    if source:  # S1; "the company" in "X has offered …, the company said" is X
        generic = _GENERIC.match(source) and actor and actor[:1].isupper()
        return _resolved(actor if generic else source, previous)
    if actor:  # S2
        return _resolved(actor, previous)
    passive = _PASSIVE.search(body)
    other = (
        passive if passive and _ACT_VERBS.match(passive.group("act")) else None
    ) or _SECOND_CLAUSE.search(body)  # S2 in the passive, S4
    if (
        other
        and _is_actor(other.group("a"))
        and not _CLAUSE_WORD.search(other.group("a"))
        and not re.search(r"\b(?:not|never|yet)\b", other.group(0))  # S3 in the second clause too
    ):
        return _resolved(other.group("a"), previous)
    return None


_LEADING_ACCORDING = re.compile(r"^according\s+to\s+(?P<a>[^,]{2,80}),", re.IGNORECASE)


def _leading_attribution(lead: str) -> str | None:
    """S1 at the start: "According to India, the halt was agreed …"; not a rule ("According to
    the terms of the deal, …"), which names nobody (S3)."""
    opening = _LEADING_ACCORDING.match(lead)
    if not opening or _RULE_OPENER.match(lead) or _CLAUSE_WORD.search(opening.group("a")):
        return None
    return _speaking_for(opening.group("a"))


def _attribution(text: str) -> str | None:
    """S1: the X of "…, X said", "according to X", "…, said X, …", if X can be an actor."""
    attributed = _TRAILING.search(text) or _SAID_BY.search(text)
    if not attributed:
        return None
    source = next(g for g in attributed.groups() if g)
    source = re.split(r"\s+(?:who|which)\b", source, maxsplit=1)[0]  # "officials who briefed …"
    if (
        _CLAUSE_WORD.search(source)
        or _APPOSITIVE_NOUN.match(source)  # "…, a claim the company said was false"
        or re.search(r"\s(?:and|but|or)$", source)  # "…, voted against it and said"
    ):
        return None
    return _speaking_for(source)


def _speaking_for(source: str) -> str | None:
    """The actor a source names: itself, or a document's author when it names one."""
    if _is_actor(_document(source)):
        return source
    author = _DOCUMENT_AUTHOR.match(source) or _OWNED_DOCUMENT.match(_document(source))
    return author.group("owner") if author and _is_actor(author.group("owner")) else None


# "estimates by the Institute of Economic Affairs", "a report published on Wednesday by the
# UN special rapporteur" (a text "seen by reporters" is not theirs).
_DOCUMENT_AUTHOR = re.compile(
    r"^[^,]{0,60}?\b(?:\w+s|report|analysis|survey|count|tally|study|review|assessment|audit)"
    r"(?:\s+(?:published|released|issued|compiled|prepared|commissioned|carried\s+out|done)"
    r"(?:\s+[^,]{0,30}?)?)?\s+by\s+(?P<owner>[^,]+)$"
)


# A noun in apposition to the sentence, then a relative clause: "…, a claim the company said".
_APPOSITIVE_NOUN = re.compile(
    r"^(?:a|an|the)\s+(?:\w+\s+)?(?:claim|charge|accusation|allegation|move|step|view|figure|"
    r"decision|position|point|demand|proposal|plan|sum|deal|pledge|promise|request|offer|idea|"
    r"measure|condition|concession|bill|law|policy|practice)\b",
    re.IGNORECASE,
)
# "The panel's report says": a document speaks for its owner.
_OWNED_DOCUMENT = re.compile(
    r"^(?P<owner>.+?)['’]s?\s+(?:\w+\s+){0,2}(?:report|reports|statement|letter|filing|submission|"
    r"ruling|figures|estimates|data|calculations|count|tally|records|analysis|numbers)$"
)


# What stands between an auxiliary and its verb: "had at first refused", "has separately asked"
# ("not" and "yet" stay: they make an act unmet).
_ADVERBIALS = re.compile(
    r"^\s*(?:(?:\w+ly|instead|just|even|then|at\s+first|at\s+last|for\s+(?:years|months|weeks|decades)|so\s+far|long|"
    r"once|since|eventually|finally|later|again)\s+)+"
)
_SKIP_AFTER_AUXILIARY = frozenset(
    [
        "not",
        "also",
        "yet",
        "never",
        "to",
        "still",
        "already",
        "now",
        "repeatedly",
        "so",
        "far",
        "long",
        "since",
        "again",
    ]
)


# "On Monday the fund, Nuvia Living, rejected …": the opener took "the fund" with it.
_APPOSITION_AFTER_OPENER = re.compile(
    rf"^(?P<n>{_NAME}),\s+(?:{_BETWEEN})(?:{_ACT_VERB_WORDS})\b(?!\s+by\b)"
)


# The act as the second verb of the main clause, before any comma: "… gathered outside the
# governor's office and called on both sides …".
_SECOND_VERB = re.compile(rf"^[^,;\"“”]{{0,120}}?\band\s+(?:then\s+)?(?P<act>{_ACT_VERB_WORDS})\b")


# A subject with a relative clause, then a verb of speech: "Two people who attended the
# meeting said …", "Environmental groups that led the protests said …".
_RELATIVE_SUBJECT = re.compile(
    rf"^(?P<a>(?:[\w'’.&-]+\s+){{1,6}}?)(?:who|that)\s+[^,;\"“”]{{3,90}}?\s+{_BETWEEN}"
    rf"(?:said|says|say|told|tell|added|warned|argued|urged|called|demanded|asked|insisted)\b"
)


# A participle of speech or of an act after the main clause: its subject is the actor.
_SPEECH_PARTICIPLE = re.compile(
    r"^[^;\"“”]{0,120}?,\s+(?P<act>telling|saying|urging|calling|demanding|warning|accusing|"
    r"insisting|arguing|vowing|pledging|promising|threatening|rejecting|refusing|offering)\b"
)


def _main_actor(body: str) -> str | None:
    """S2: the actor of the main clause's act (its subject, or the agent of a passive), or
    None when its verb reports no act (S3)."""
    apposed = _APPOSITION.match(body)
    if apposed:  # "Liga F's director general, Pilar Serrano, said": the name, then its verb
        body = f"{apposed.group('n')} {body[apposed.start('v') :]}"
    apposed = _APPOSITION_AFTER_OPENER.match(body)
    if apposed:
        return apposed.group("n")
    relative = _RELATIVE_SUBJECT.match(body)
    head = relative.group("a").strip() if relative else ""
    if (
        head
        and _is_actor(head)
        and not any(_VERB.match(w) or _OTHER_VERB.match(w) for w in head.split())
    ):
        return head
    found = _main_subject(body)
    if not found:
        return None
    subject, verb, rest = found
    lowered = verb.lower()
    passive_by = r"\s*(?:\w+ly\s+)?\w+(?:ed|en)\s+by\s"
    if (lowered in ("was", "were", "is", "are") and re.match(passive_by, rest)) or (
        lowered in ("has", "have", "had") and re.match(r"\s*been" + passive_by, rest)
    ):
        passive = _PASSIVE.search(body)  # "… was rejected by Serra Azul's directors"
        return passive.group("a") if passive and _ACT_VERBS.match(passive.group("act")) else None
    rest = _ADVERBIALS.sub("", rest)
    if lowered in ("was", "were", "is", "are", "been") and re.match(
        r"\s*(?:\w+ly\s+)?\w+(?:ed|en)\b(?!\s+to\b)", rest
    ):
        return None  # a passive without its agent: "were added after lobbying"
    if lowered in ("failed", "fails") and re.match(r"\s*to\b", rest):
        return None  # an unmet act: "Ministers again failed to agree"
    if lowered in ("could", "might", "may", "can"):
        return None  # a possibility, not an act
    if lowered in _UNMET_AFTER and _UNMET.match(rest):
        return None  # S3: "has not said whether", "is expected to rule"
    act = verb
    second = _SECOND_VERB.match(rest)
    if not _ACT_VERBS.match(verb) and not _AUXILIARY.match(verb) and second:
        act = second.group("act")  # "Relatives gathered outside … and called for talks"
    elif not _ACT_VERBS.match(verb):
        # An auxiliary: look one word on ("would not sign", "is seeking").
        words = [w for w in rest.split()[:5] if w.lower() not in _SKIP_AFTER_AUXILIARY]
        act = words[0].strip(",.;:") if words else ""
        if act.lower() == "back" and not _AUXILIARY.match(verb):
            act = ""  # a particle, not a verb: "The dispute dates back to 2019"
        participle = _SPEECH_PARTICIPLE.match(rest)
        # "Kell entered his plea …, telling the court …", not "comes after X …, arguing"
        if (
            not _ACT_VERBS.match(act)
            and participle
            and not _SUBJECT_CLAUSE.search(rest[: participle.start("act")])
        ):
            act = participle.group("act")
        elif not _ACT_VERBS.match(act):
            return None
    if _BOTH_SIDES.match(subject) and _JOINT_ACTS.match(act):
        return None  # S3: both sides at once
    if _is_actor(subject):
        return subject
    owned = _OWNED_DOCUMENT.match(subject)
    return owned.group("owner") if owned and _is_actor(owned.group("owner")) else None


# The last word of these names is no surname: "the Argentine Football Association".
_BODIES = re.compile(
    r"\b(?:Ministry|Union|Association|Commission|Council|Party|Bank|Government|Forces|Front|"
    r"Committee|Court|Office|Authority|Agency|Fund|Organi[sz]ation|Federation|Group|Forum|"
    r"League|Club|Company|Corporation|Department|Board|Assembly|Parliament|Congress|States|"
    r"Nations|Kingdom|Republic|Alliance|Movement|Service|Services|Institute|Centre|Center|"
    r"Programme|Program|Mission|Coalition|Bureau|Inc|Ltd|Cie|AG|SA|PLC)\b"
)
# Places of two words or more, which are no person with a surname: "South Africa".
_PLACE = re.compile(
    r"^(?:North|South|East|West|New|Saudi|Sri|Hong|Costa|El|Puerto|San|Santa|Sierra|Burkina|"
    r"Czech|Dominican|Papua|Cape|Ivory|Solomon|Marshall|Central|United|Sao|São|Abu|Addis|Buenos|"
    r"Kuala|Tel|Port|Rio|Los|Las)\s"
)
_PERSON = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*\s+){1,5}[A-ZÀ-ÖØ-Þ][\w'’-]+$")
# A title in lower case, then a person's name: "union leader Mara Quist".
_TITLED = re.compile(
    r"(?:^|\s)(?!(?:of|the|to|for|and|in|on|at|with|by|from|loyal|close|near)\s)[a-z][\w-]*\s+(?P<name>(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*\s+){1,3}[A-ZÀ-ÖØ-Þ][\w'’-]+)$"
)


def _resolved(found: str, previous: str | None) -> str | None:
    """A pronoun as the previous speaker; a person named with title and first name by the
    surname ("U.S. President Donald Trump" and "Trump" are one speaker)."""
    found = _clean(found)
    if found.lower() in _PRONOUNS:
        return previous
    of = re.match(r"^((?:[A-ZÀ-ÖØ-Þ][\w'’.-]*\s+){1,3}[A-ZÀ-ÖØ-Þ][\w'’-]+)\s+of\s+[A-Z]", found)
    if of and not _BODIES.search(of.group(1)):  # "Amara Okafor of Break Free Africa"
        return of.group(1).split()[-1]
    if _PERSON.match(found) and not _BODIES.search(found) and not _PLACE.match(found):
        return found.split()[-1]
    titled = _TITLED.search(found)  # "Union leader Mara Quist"
    if titled and not _BODIES.search(titled.group("name")):
        return titled.group("name").split()[-1]
    return found


# A stand-in: "the union", "the company", "the ministry" (GUIDELINES S5).
_GENERIC = re.compile(
    r"^the\s+(?:union|company|club|group|ministry|government|bank|fund|league|federation|board|"
    r"council|association|party|firm|insurer|lender|carrier|operator|utility|regulator|"
    r"authority|agency|court|committee|airline|commission|city|state|chain|front|coalition|"
    r"guerrillas|rebels|alliance|broadcaster|platform|landlord|developer|miner|producer|"
    r"club's\s+\w+|company's\s+\w+)$",
    re.IGNORECASE,
)


_INTRODUCED_NAME = r"(?:the\s+)?[A-ZÀ-ÖØ-Þ][\w'’.&+-]*(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.&+-]*|of|de|du|des|la|del|and|for|&))*"
# The nouns an article introduces an actor with, and the stand-in each licenses later: a
# "smartphone maker" or a "shipping group" is "the company" afterwards.
_STAND_IN_FOR = {
    "firm": "company",
    "group": "company",
    "maker": "company",
    "producer": "company",
    "miner": "company",
    "platform": "company",
    "operator": "company",
    "carrier": "company",
    "developer": "company",
    "retailer": "company",
    "supplier": "company",
    "manufacturer": "company",
    "telco": "company",
    "owner": "company",
    "line": "company",
    "lender": "bank",
    "investor": "fund",
}
# Nouns that introduce an actor and stand in for it later under the same word.
_OWN_KINDS = (
    "union company airline chain insurer bank fund utility club league federation association "
    "coalition party front ministry agency regulator landlord broadcaster"
)
_KIND_NOUNS = "|".join(sorted({*_STAND_IN_FOR, *_OWN_KINDS.split()}, key=lambda w: (-len(w), w)))
# An actor named with the noun that later stands in for it: "the fund, Nuvia Living,",
# "Halcyon Residential Partners, a Texas-based investment firm", "smartphone maker Kestrel
# Mobile", "the lecturers' union ANDES-SN".
_INTRODUCED = re.compile(
    rf"\bthe\s+(?:[a-z][\w'’-]*\s+){{0,3}}(?P<noun>[a-z]+),\s+(?P<name>{_INTRODUCED_NAME})\s*,|"
    rf"(?P<name2>{_INTRODUCED_NAME}),\s+(?:a|an|the|its)\s+(?:[\w'’-]+\s+){{0,4}}?(?P<noun2>{_KIND_NOUNS})\b(?!['’])|"
    rf"\b(?P<noun3>{_KIND_NOUNS})\s+(?P<name3>[A-ZÀ-ÖØ-Þ][\w'’.&+-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.&+-]*)*)"
)


# A name of two words or more in the text: "the International Monetary Fund".
_MENTIONED = re.compile(
    r"(?<![\w'’.-])[A-ZÀ-ÖØ-Þ][\w'’&-]*(?:\s+(?:of|the|for|de)?\s*[A-ZÀ-ÖØ-Þ][\w'’&-]*)+"
)


def speakers(sentences: list[str]) -> list[str | None]:
    """The speaker of each sentence of an article, in order (`speaker`), carrying the last
    named speaker to a pronoun, and a stand-in such as "the union" to the actor the article
    named with it ("the fund, Nuvia Living"; "smartphone maker Kestrel Mobile") or, failing
    that, to the last named actor whose name has that word ("Unite the Union")."""
    found: list[str | None] = []
    previous = None
    named: list[str] = []
    introduced: dict[str, str] = {}  # "fund" -> "Nuvia Living"
    mentioned: list[str] = []  # every name of two words or more so far: "Unite the Union"
    for sentence in sentences:
        for match in _INTRODUCED.finditer(sentence):
            noun = (match.group("noun") or match.group("noun2") or match.group("noun3")).lower()
            name = _clean(match.group("name") or match.group("name2") or match.group("name3"))
            introduced[noun] = name
            if noun in _STAND_IN_FOR:
                introduced[_STAND_IN_FOR[noun]] = name
        who = speaker(sentence, previous)
        if who and _GENERIC.match(who):
            head = who.split()[-1].lower()
            by_word = (
                n
                for n in [*reversed(named), *reversed(mentioned)]
                if head in n.lower().split() or (" " not in n and n.lower().endswith(head))
            )  # "the union": "Unite the Union"; "the bank": "Afreximbank"
            who = introduced.get(head) or next(by_word, who)
        elif who and who[:1].isupper():
            named.append(who)
        mentioned.extend(m.group() for m in _MENTIONED.finditer(sentence))
        previous = who or previous
        found.append(who)
    return found


_SMALL = ("of", "the", "and", "for", "de", "du", "des", "la", "le", "el", "del")
_POSSESSIVE_END = re.compile(r"(?:['’]s?)$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def _speaker_words(name: str) -> list[str]:
    name = _LEADING_ARTICLE.sub("", name.strip())
    return [_POSSESSIVE_END.sub("", w).lower() for w in re.findall(r"[\w'’.-]+", name)]


_COMPASS = frozenset(["north", "south", "east", "west"])


def same_speaker(found: str | None, gold: str | None) -> bool:
    """Does ``found`` name the speaker an annotator wrote as ``gold``? Both empty, or the
    last word of one among the words of the other ("Lavrov" for "Sergei Lavrov", "the
    union" for "the nurses' union"); case, leading articles and possessives aside."""
    found_words, gold_words = _speaker_words(found or ""), _speaker_words(gold or "")
    if not found_words or not gold_words:
        return not found_words and not gold_words
    sides = {w for w in (found_words[0], gold_words[0]) if w in _COMPASS}
    if len(sides) == 2:
        return False  # "North Korea" is not "South Korea"
    if found_words[-1] in gold_words or gold_words[-1] in found_words:
        return True
    return bool(
        _acronyms(found_words) & set(gold_words) or _acronyms(gold_words) & set(found_words)
    )


def _acronyms(words: list[str]) -> set[str]:
    """The initials a name of two words or more goes by: "eu" for "european union", "sdf" for
    "syrian democratic forces", and "tfl" for "transport for london" (small words kept)."""
    if len(words) < 2:
        return set()
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _SMALL)}

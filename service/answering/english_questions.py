"""English question understanding: how customers ask for each fact kind in English.

service/answering/kinds.py knows the kinds' nouns ("warranty", "price"); customers often ask without
them ("How many watts is it?", "How heavy is it?", "Is installation free?", "Could I exchange this for the 60
litre one?", "My heater shows C4"). These patterns are word classes of the question, not one store's
products, and add to the kind scores of an English part. Kept apart from kinds.py (no imports) so the
Chinese vocabulary there and this English one change independently.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# (kind, pattern): each pattern that matches adds one to the kind's score.
QUESTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # specifications: power, weight, dimensions, capacity, speed, heating time, pressure
    ("spec", re.compile(r"\bhow many (?:watts?|kw|kilowatts?|litres?|liters?|speeds?|settings?|modes?|"
                        r"levels?|burners?|places?|programs?|programmes?)\b", _I)),
    ("spec", re.compile(r"\b(?:watts?|wattage|kilowatts?|rated power|power rating|how powerful)\b", _I)),
    ("spec", re.compile(r"\bhow (?:heavy|big|large|tall|wide|deep|thick|far(?! ahead| in advance)|loud|"
                        r"quiet|hot)\b|"
                        r"\b(?:weigh|weighs|weight|dimensions?|measurements?|oscillat\w*)\b", _I)),
    ("spec", re.compile(r"\b(?:take|takes|long) to (?:heat|boil|warm|charge)\b|"
                        r"\bheat(?:ing)?[- ]up time\b", _I)),
    ("spec", re.compile(r"\b(?:mpa|bar|psi)\b|\bwater pressure\b", _I)),
    ("spec", re.compile(r"\btemp(?:erature)?s? (?:range|setting)s?\b|\bcolou?rs?\b|\bcapacity\b|"
                        r"\bplace settings?\b|\bwhat size\b|\bcut-?out\b", _I)),
    # installation and its extra charges
    ("install_fee", re.compile(r"\binstall\w*\b[^.?!]{0,40}\b(?:free|cost|charge|fee|pay|price)|"
                               r"\b(?:free|cost|charge|fee|pay)\w*\b[^.?!]{0,30}\binstall\w*|"
                               # "cost to have the <product> installed": the product's name between
                               r"\bcost\w* to (?:have|get)\b[^.?!]{0,50}\b(?:install|fitt?)\w*", _I)),
    ("install_fee", re.compile(r"\b(?:per|each|every) (?:extra |additional )?(?:hole|metre|meter|m)\b|"
                               r"\b(?:drill\w*|holes?)\b[^.?!]{0,30}\b(?:charge|cost|fee|how much)|"
                               r"\bhow much[^.?!]{0,30}\b(?:extend|extension|extra metre|extra meter|drill)",
                               _I)),
    ("install_fee", re.compile(r"\b(?:drill\w*|holes?|extend|extension|extra (?:metre|meter|length))\b", _I)),
    # "how much is installation", "installing it - how much?": the money question around installing
    ("install_fee", re.compile(r"\bhow much\b[^.?!]{0,30}\binstall\w*|"
                               r"\binstall\w*\b[^.?!]{0,40}\bhow much\b(?! (?:room|space|clearance|gap|water|"
                               r"weight)\b)", _I)),
    # a second visit of the installer, taking the old appliance away: installation services
    ("install_fee", re.compile(r"\b(?:installer|technician|engineer|fitter|worker|he|she|they)s? "
                               r"(?:has to |have to |must |needs? to |will |would )?(?:come|comes|coming) "
                               r"(?:back|again)\b|"
                               r"\bsecond (?:visit|trip|call-?out)\b|"
                               r"\b(?:take|taking|haul|hauling|carry|carrying) away\b|"
                               r"\b(?:remov\w*|dispos\w*|uninstall\w*|dismantl\w*) (?:of )?(?:my|the) old\b",
                               _I)),
    # "my flue needs to be longer", "if the drain hose needs extending": an extension is charged as a fee
    # of the installation or as the material's price, whichever the sheet lists it under
    ("install_fee", re.compile(r"\b(?:pipe|flue|hose|cable|duct|cord|tube)s?\b[^.?!]{0,30}"
                               r"\b(?:longer|extend\w*|extension|extra length)\b", _I)),
    ("materials", re.compile(r"\b(?:extend|extension|longer)\b[^.?!]{0,30}"
                             r"\b(?:pipe|flue|hose|cable|duct|cord|tube)s?\b|"
                             r"\b(?:pipe|flue|hose|cable|duct|cord|tube)s?\b[^.?!]{0,30}"
                             r"\b(?:longer|extend\w*|extension|extra length)\b|"
                             r"\b(?:pipe|flue|hose|duct|valve|fitting|elbow)s?\b[^.?!]{0,20}\b(?:cost|charge|"
                             r"price|extra)", _I)),
    # exchanging for another version
    ("exchange", re.compile(r"\b(?:exchange|swap|switch|trade)\b[^.?!]{0,60}\bfor\b|"
                            r"\bchange (?:it |this |mine )?(?:to|for) (?:the|a)\b|\bother version\b", _I)),
    # gifts
    ("gift", re.compile(r"\bcomes? (?:free )?with\b|\bcomes? free\b|\bfree (?:gift|item|extra)s?\b|"
                        r"\bwhat (?:do|will) i get\b|\bvouchers?\b|\bclaim (?:it|the gift|my gift)\b|"
                        r"\bhow do i (?:claim|get) (?:it|the gift|them)\b|\bfreebies?\b|"
                        r"\b(?:anything|something) (?:else )?free\b|"
                        # "the free fan", "any free extras", "included free": a thing given free (not a free
                        # service: shipping, installation, returns)
                        r"(?<![-\w])free (?!of\b|shipping|delivery|postage|returns?\b|install\w*|exchange|"
                        r"repairs?\b|replacement|maintenance|service|trial|size\b|standing|to\b|for\b|with\b|"
                        r"up\b|if\b|or\b|and\b|"
                        r"now\b|after\b|within\b|in\b|on\b|at\b)[a-z]{3,}|\bincluded (?:for )?free\b|"
                        r"\b(?:claim|redeem)\w* (?:the |my |an? )?(?:e-?card|gift card)s?\b",
                        _I)),
    # warranty (also labour costs during warranty and extra warranty)
    ("warranty", re.compile(r"\b(?:extra|extended|additional|longer) (?:warranty|guarantee|cover)\b|"
                            r"\blabou?r\b|\bcovered\b|\bhow many years\b|\bguarantee[ds]\b", _I)),
    # a fault: a display code, a symptom
    ("fault", re.compile(r"\b(?:shows?|showing|displays?|displaying|flashes|flashing)\b[^.?!]{0,20}"
                         r"\b[a-z]{1,2}-?\d{1,3}\b|\b(?:error|code|fault)\s*[a-z]{0,2}-?\d{1,3}\b|"
                         r"\btakes? (?:too |very |so )?long to (?:come|get hot|warm up)\b|\bno hot water\b|"
                         r"\bwon'?t (?:turn on|start|ignite|heat|light)\b", _I)),
    # use and care: how often a part is changed or the product cleaned (its interval or lifespan)
    ("usage", re.compile(r"\bhow often\b|\bwhen (?:should|do|must|will) i (?:need to )?"
                         r"(?:change|replace|clean|descale|service)\b|\blife ?span\b|\bservice life\b|"
                         r"\bhow long (?:does|do|will|would|can) (?:the|a|an|its|each|one) [a-z-]+ "
                         r"(?:last|be used)\b(?! on (?:a|one) (?:single )?charge)", _I)),
    # where it may be put: "can it go in my bathroom", "is it ok to fit it inside the shower room"
    ("usage", re.compile(r"\b(?:go|goes|be|install\w*|fit|fitted|mount\w*|put|place[ds]?|hang|hung|"
                         r"use[ds]?)\b[^.?!]{0,50}\b(?:in|inside|into|on|outside|under|above|at) "
                         r"(?:my|the|a|an|our)\s+(?:[a-z-]+\s+){0,2}?(?:bathroom|shower room|shower|washroom|"
                         r"toilet|kitchen|balcony|bedroom|living room|garage|basement|loft|attic|cupboard|"
                         r"cabinet|closet|garden|yard|"
                         r"outdoors?|outside)s?\b", _I)),
    # who fits it: "does it need a technician to install it", "do I put it together myself"
    ("usage", re.compile(r"\bneeds? (?:a |an |the )?(?:technician|installer|engineer|professional|plumber|"
                         r"electrician|someone)\b|\b(?:install|assembl|put|set)\w*\b[^.?!]{0,40}"
                         r"\b(?:myself|yourself|ourselves|by hand)\b", _I)),
    ("usage", re.compile(r"\bwinter\b|\bfreez\w*\b|\bfrost\b|\bwhat should i do with\b|"
                         r"\bhow (?:do|should) i (?:use|clean|descale|maintain|store)\b|"
                         r"\bcan (?:it|the [^.?!]{1,40}) be installed\b|\binstalled directly\b|"
                         r"\bneeds? (?:to be )?install\w*|\binstalled by\b|\bplug (?:it )?in\b|"
                         r"\b(?:book|booking|appointment|schedule)\b[^.?!]{0,30}\binstall\w*|"
                         r"\binstall\w*\b[^.?!]{0,30}\b(?:book|booking|appointment|in advance|ahead)\b", _I)),
    # invoices and proof of purchase
    ("invoice", re.compile(r"\b(?:invoice|receipt|screenshot|proof of purchase)s?\b", _I)),
    # refunds and price protection
    ("refund", re.compile(r"\bwhere (?:does|will) (?:the|my) (?:refund|money)\b|"
                          r"\b(?:difference|money) back\b|"
                          r"\bprice (?:drop|dropped|went down|fell)\b", _I)),
    ("return", re.compile(r"\bbefore it'?s? (?:delivered|arrived?)\b|\bsend (?:it|them) back\b", _I)),
    ("stock", re.compile(r"\b(?:in stock|available|still (?:sell|on sale)|sold out)\b", _I)),
)  # fmt: skip


def english_kind_scores(text: str) -> dict[str, float]:
    """One point per matching question pattern, by kind ({} for a text with no English question)."""
    out: dict[str, float] = {}
    if not re.search(r"[A-Za-z]{3}", text):
        return out
    for kind, pattern in QUESTION_PATTERNS:
        if pattern.search(text):
            out[kind] = out.get(kind, 0.0) + 1.0
    return out

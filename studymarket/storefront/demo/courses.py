"""Institutions, programmes, courses and books of the demo (hand-written; books are fictional)."""

from dataclasses import dataclass

from stdnum import ean


@dataclass(frozen=True)
class InstitutionSpec:
    name: str
    country: str
    city: str
    short: str  # as students say it in a title: "UvA", "KU Leuven"


@dataclass(frozen=True)
class CourseSpec:
    key: str
    institution: str
    programme: str
    name: str
    code: str
    language: str
    topics: tuple[str, ...]  # chapter titles of its documents
    terms: tuple[str, ...]  # the words its body text is made of


@dataclass(frozen=True)
class BookSpec:
    key: str
    title: str
    authors: str
    edition: str
    isbn_stem: str  # the first twelve digits; the check digit is computed

    @property
    def isbn13(self) -> str:
        return self.isbn_stem + ean.calc_check_digit(self.isbn_stem)


INSTITUTIONS = {
    spec.name: spec
    for spec in (
        InstitutionSpec("Universiteit van Amsterdam", "NL", "Amsterdam", "UvA"),
        InstitutionSpec("Erasmus Universiteit Rotterdam", "NL", "Rotterdam", "EUR"),
        InstitutionSpec("Rijksuniversiteit Groningen", "NL", "Groningen", "RUG"),
        InstitutionSpec("Universiteit Utrecht", "NL", "Utrecht", "UU"),
        InstitutionSpec("Maastricht University", "NL", "Maastricht", "UM"),
        InstitutionSpec("Hogeschool van Amsterdam", "NL", "Amsterdam", "HvA"),
        InstitutionSpec("KU Leuven", "BE", "Leuven", "KU Leuven"),
        InstitutionSpec("Universiteit Gent", "BE", "Gent", "UGent"),
        InstitutionSpec("Odisee", "BE", "Brussel", "Odisee"),
        InstitutionSpec("Thomas More", "BE", "Mechelen", "Thomas More"),
    )
}


def _course(
    key: str, institution: str, programme: str, name: str, code: str, language: str, topics: str, terms: str
) -> CourseSpec:
    return CourseSpec(
        key, institution, programme, name, code, language, tuple(topics.split("; ")), tuple(terms.split("; "))
    )


# fmt: off
COURSES = {
    spec.key: spec
    for spec in (
        _course(
            "account-management", "Odisee", "Bachelor Bedrijfsmanagement", "Account Management", "", "nl",
            "Account management",
            "accountmanager; key account; DMU; waardepropositie; accountplan; klantrelatie; inkoper",
        ),
        _course(
            "uva-psychologie", "Universiteit van Amsterdam", "Bachelor Psychologie",
            "Inleiding in de psychologie", "7201A001", "nl",
            "Geschiedenis en methoden; Waarneming; Leren en conditionering; Geheugen; Denken en taal; "
            "Emotie en motivatie; Persoonlijkheid",
            "gedrag; cognitie; klassieke conditionering; werkgeheugen; perceptie; motivatie; hypothese",
        ),
        _course(
            "uva-micro", "Universiteit van Amsterdam", "Bachelor Economie en Bedrijfskunde",
            "Micro-economie", "6011P0230", "nl",
            "Vraag en aanbod; Elasticiteiten; Consumententheorie; Productie en kosten; Marktvormen; "
            "Speltheorie",
            "marktevenwicht; prijselasticiteit; nutsfunctie; marginale kosten; monopolie; "
            "consumentensurplus",
        ),
        _course(
            "uva-research-methods", "Universiteit van Amsterdam", "BSc Communication Science",
            "Research Methods in Communication Science", "COM 1012", "en",
            "The empirical cycle; Measurement and validity; Surveys; Experiments; Content analysis; "
            "Reporting results",
            "operationalisation; reliability; sampling; independent variable; codebook; effect size",
        ),
        _course(
            "eur-marketing", "Erasmus Universiteit Rotterdam", "BSc International Business Administration",
            "Marketing Management", "BKB0033", "en",
            "Marketing strategy; Consumer behaviour; Segmentation, targeting and positioning; "
            "Product and brand management; Pricing; Marketing communication",
            "customer value; brand equity; market segment; price elasticity; marketing mix; "
            "positioning statement",
        ),
        _course(
            "eur-financial-accounting", "Erasmus Universiteit Rotterdam",
            "BSc International Business Administration",
            "Financial Accounting", "BKB0025", "en",
            "The accounting equation; Recording transactions; Accruals and deferrals; Inventories; "
            "Non-current assets; Financial statement analysis",
            "balance sheet; income statement; double entry; depreciation; working capital; accrual",
        ),
        _course(
            "eur-privaatrecht", "Erasmus Universiteit Rotterdam", "Bachelor Rechtsgeleerdheid",
            "Inleiding Privaatrecht", "FRG1010", "nl",
            "Bronnen van het privaatrecht; Rechtshandelingen; Totstandkoming van overeenkomsten; "
            "Wanprestatie; Onrechtmatige daad; Goederenrecht in vogelvlucht",
            "wilsovereenstemming; aanbod en aanvaarding; toerekenbaarheid; schadevergoeding; "
            "Burgerlijk Wetboek; eigendomsoverdracht",
        ),
        _course(
            "rug-statistiek", "Rijksuniversiteit Groningen", "Bachelor Bedrijfskunde",
            "Statistiek 1", "EBB012A05", "nl",
            "Beschrijvende statistiek; Kansrekening; Kansverdelingen; Steekproefverdelingen; "
            "Betrouwbaarheidsintervallen; Toetsen van hypothesen",
            "standaarddeviatie; normale verdeling; p-waarde; nulhypothese; steekproefgrootte; "
            "betrouwbaarheidsinterval",
        ),
        _course(
            "rug-organisatiegedrag", "Rijksuniversiteit Groningen", "Bachelor Bedrijfskunde",
            "Organisatiegedrag", "EBB104A05", "nl",
            "Persoonlijkheid en waarden; Motivatie; Groepen en teams; Leiderschap; Macht en conflict; "
            "Organisatiecultuur",
            "teamdynamiek; transformationeel leiderschap; intrinsieke motivatie; organisatiecultuur; "
            "besluitvorming; conflicthantering",
        ),
        _course(
            "rug-anatomie", "Rijksuniversiteit Groningen", "Bachelor Geneeskunde",
            "Anatomie van het bewegingsapparaat", "GNK-B1-ANA", "nl",
            "Botten en gewrichten; Spierweefsel; Bovenste extremiteit; Onderste extremiteit; Wervelkolom; "
            "Zenuwvoorziening",
            "synoviaal gewricht; aanhechting; innervatie; flexie; extensie; plexus brachialis",
        ),
        _course(
            "uu-staatsrecht", "Universiteit Utrecht", "Bachelor Rechtsgeleerdheid",
            "Staatsrecht", "RGBUSTR1", "nl",
            "De Grondwet; Grondrechten; Het parlement; De regering; Decentrale overheden; "
            "Rechterlijke toetsing",
            "ministeriële verantwoordelijkheid; grondrecht; Staten-Generaal; wetgevingsprocedure; "
            "toetsingsverbod; decentralisatie",
        ),
        _course(
            "uu-strafrecht", "Universiteit Utrecht", "Bachelor Rechtsgeleerdheid",
            "Strafrecht", "RGBUSTF1", "nl",
            "Legaliteitsbeginsel; Bestanddelen van het delict; Opzet en schuld; Rechtvaardigingsgronden; "
            "Schulduitsluitingsgronden; Deelneming",
            "wederrechtelijkheid; voorwaardelijk opzet; noodweer; strafbaarheid; medeplegen; causaliteit",
        ),
        _course(
            "uu-celbiologie", "Universiteit Utrecht", "Bachelor Biologie", "Celbiologie", "B-B1CB13", "nl",
            "De cel en haar membraan; Eiwitten en enzymen; Celademhaling; DNA en replicatie; "
            "Genexpressie; Celcyclus en deling",
            "mitochondrium; transcriptie; enzymkinetiek; membraantransport; mitose; ATP",
        ),
        _course(
            "um-management", "Maastricht University", "BSc International Business",
            "Management of Organisations", "EBC1010", "en",
            "What organisations are; Organisational structure; Strategy and environment; Decision making; "
            "Organisational change; Culture and leadership",
            "span of control; contingency theory; bounded rationality; stakeholder; change management; "
            "organisational culture",
        ),
        _course(
            "um-strategy", "Maastricht University", "BSc International Business",
            "Strategy", "MAN 3025", "en",
            "Strategic analysis; Industry analysis; Resources and capabilities; Competitive advantage; "
            "Corporate strategy; Strategy implementation",
            "five forces; core competence; value chain; diversification; VRIO framework; business model",
        ),
        _course(
            "um-eu-law", "Maastricht University", "European Law School",
            "European Union Law", "ELS2003", "en",
            "Sources of EU law; The EU institutions; Direct effect and supremacy; Free movement of goods; "
            "Free movement of persons; Preliminary references",
            "direct effect; supremacy; Court of Justice; preliminary ruling; internal market; "
            "proportionality",
        ),
        _course(
            "hva-mediatheorie", "Hogeschool van Amsterdam", "Bachelor Communicatie",
            "Mediatheorie", "COM-MT1", "nl",
            "Media en samenleving; Framing; Agenda-setting; Sociale media; Mediawijsheid; "
            "Onderzoek naar mediagebruik",
            "framing; agenda-setting; nieuwswaarde; algoritme; doelgroep; mediagebruik",
        ),
        _course(
            "hva-kostprijs", "Hogeschool van Amsterdam", "Bachelor Accountancy",
            "Kostprijscalculatie", "ACC-KPC2", "nl",
            "Kosten en kostensoorten; Integrale kostprijs; Variabele kostprijs; Break-evenanalyse; "
            "Activity-based costing; Budgettering",
            "vaste kosten; dekkingsbijdrage; break-evenpunt; opslagmethode; bezettingsresultaat; "
            "kostendrijver",
        ),
        _course(
            "kul-economie", "KU Leuven", "Bachelor Handelsingenieur", "Algemene economie", "D0H10A", "nl",
            "Economisch denken; Markten en prijzen; Marktfalen en overheid; Nationale rekeningen; "
            "Geld en monetair beleid; Internationale handel",
            "opportuniteitskost; bbp; inflatie; externe effecten; comparatief voordeel; ECB",
        ),
        _course(
            "kul-wiskunde", "KU Leuven", "Bachelor Handelsingenieur", "Wiskunde I", "D0H05A", "nl",
            "Functies en grafieken; Limieten en continuïteit; Afgeleiden; Optimalisatie; Integralen; "
            "Matrices",
            "afgeleide; kettingregel; extremum; integraal; matrix; elasticiteit",
        ),
        _course(
            "kul-grondwettelijk", "KU Leuven", "Bachelor Rechten", "Grondwettelijk recht", "C00B5A", "nl",
            "De Belgische Grondwet; Staatshervormingen; Gemeenschappen en gewesten; Grondrechten; "
            "Het Grondwettelijk Hof; Bevoegdheidsverdeling",
            "federalisme; bevoegdheidsverdeling; bijzondere wet; Grondwettelijk Hof; grondrechten; "
            "gemeenschap",
        ),
        _course(
            "ugent-ontwikkeling", "Universiteit Gent", "Bachelor Psychologie",
            "Ontwikkelingspsychologie", "H000452", "nl",
            "Theorieën over ontwikkeling; Prenatale ontwikkeling; Cognitieve ontwikkeling; "
            "Taalontwikkeling; Sociaal-emotionele ontwikkeling; Adolescentie",
            "Piaget; hechting; objectpermanentie; zone van naaste ontwikkeling; temperament; identiteit",
        ),
        _course(
            "ugent-biochemie", "Universiteit Gent", "Bachelor Biomedische Wetenschappen",
            "Biochemie", "E000111", "nl",
            "Aminozuren en eiwitten; Enzymen; Koolhydraten; Glycolyse en citroenzuurcyclus; "
            "Lipidenmetabolisme; Regulatie van het metabolisme",
            "enzym; glycolyse; citroenzuurcyclus; ATP; allosterische regulatie; vetzuur",
        ),
        _course(
            "odisee-marketing", "Odisee", "Bachelor Bedrijfsmanagement", "Marketing", "BM-MK1", "nl",
            "Wat is marketing; Marktonderzoek; Consumentengedrag; Segmentatie en positionering; "
            "De marketingmix; Digitale marketing",
            "doelgroep; marketingmix; positionering; merkbeleving; marktonderzoek; klantreis",
        ),
        _course(
            "odisee-boekhouden", "Odisee", "Bachelor Bedrijfsmanagement", "Boekhouden", "BM-BH1", "nl",
            "De balans; De resultatenrekening; Het boekhoudplan; Aankopen en verkopen; De btw; "
            "Inventaris en jaarafsluiting",
            "dubbel boekhouden; journaal; grootboek; btw-aangifte; afschrijving; minimumindeling",
        ),
        _course(
            "odisee-anatomie", "Odisee", "Bachelor Verpleegkunde",
            "Anatomie en fysiologie", "VPK-AF1", "nl",
            "De cel en weefsels; Hart en bloedsomloop; De ademhaling; Het zenuwstelsel; "
            "Het spijsverteringsstelsel; De nieren",
            "hartminuutvolume; longventilatie; neuron; homeostase; nefron; bloeddruk",
        ),
        _course(
            "tm-onderwijskunde", "Thomas More", "Bachelor Onderwijs: lager onderwijs",
            "Onderwijskunde", "LO-OK1", "nl",
            "Leren en onderwijzen; Leerdoelen formuleren; Didactische werkvormen; Differentiatie; "
            "Evalueren; Klasmanagement",
            "leerdoel; differentiatie; formatieve evaluatie; werkvorm; leerlijn; feedback",
        ),
        _course(
            "tm-databanken", "Thomas More", "Bachelor Toegepaste Informatica", "Databanken", "TI-DB1", "nl",
            "Het relationele model; ERD-modellering; Normalisatie; SQL: selecteren; "
            "SQL: joins en groeperen; Transacties",
            "primaire sleutel; vreemde sleutel; derde normaalvorm; JOIN; index; transactie",
        ),
    )
}
# fmt: on

# fmt: off
BOOKS = {
    spec.key: spec
    for spec in (
        BookSpec("psychologie", "Psychologie: een inleiding", "M. de Wit, J. Peeters", "9e druk",
                 "978900113584"),
        BookSpec("micro", "Micro-economie: markten en keuzes", "F. Smit", "2e druk", "978904623107"),
        BookSpec("marketing", "Principles of Marketing Management", "R. Hollander, S. Brooks", "4th edition",
                 "978186152930"),
        BookSpec("accounting", "Financial Accounting in Practice", "L. Meyer, T. Okafor", "3rd edition",
                 "978186152947"),
        BookSpec("statistiek", "Statistiek voor bedrijfskundigen", "H. Bakker", "6e druk", "978900116742"),
        BookSpec("organisatie", "Organisatiegedrag in de praktijk", "E. Jansen, K. Mulder", "5e druk",
                 "978904623388"),
        BookSpec("staatsrecht", "Staatsrecht in hoofdlijnen", "P. van Dijk", "12e druk", "978901311205"),
        BookSpec("ontwikkeling", "Ontwikkeling van kind tot volwassene", "L. Claes, A. Maes", "3e druk",
                 "978903349781"),
    )
}
# fmt: on

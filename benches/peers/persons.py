"""Febrl-style synthetic persons (same columns as Febrl3), with the true person as `truth`.

Names, suburbs and streets follow popularity curves (a few very common family names, given names
and suburbs; a long tail of rare ones), so namesakes are frequent and a name alone proves little.
About 45% of the people have 1-5 duplicate records; each duplicate gets 1-4 corruptions picked from
what happens to person records: keyboard/OCR typos, phonetic respellings, nicknames, given and
family name swapped, words run together, a field left empty, day and month of birth swapped or a
digit wrong, a one-digit slip in the postcode, the street number or the ID number, an
address_2 added or dropped. Ids are opaque and rows shuffled: nothing but the values tells which
records belong together.
"""

from common import Rng, digit_typo, typo, write_csv_atomic

SEED = 9_2026
HEADER = [
    "id",
    "truth",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]

GIVEN = (
    "jack oliver william noah thomas james lucas henry liam charlie ethan samuel alexander "
    "max joshua benjamin harrison isaac leo daniel mason lachlan jacob ryan cooper riley "
    "hunter archie xavier matthew dylan patrick nathan luke george harry oscar joseph michael "
    "david john robert peter paul mark andrew stephen christopher anthony kevin brian edward "
    "charlotte olivia ava amelia mia isla grace chloe emily sophie ella zoe ruby lily sienna "
    "matilda evie harper willow scarlett isabella emma hannah georgia jessica sarah madeline "
    "lucy abigail jasmine caitlin elizabeth margaret mary patricia jennifer linda susan karen "
    "nancy lisa helen sandra donna carol ruth sharon michelle laura kimberly deborah rebecca "
    "stephanie amy melissa nicole heather rachel anna samantha katherine christine kelly"
).split()
NICK = {
    "william": ["bill", "will", "billy"], "robert": ["bob", "rob", "bobby"], "thomas": ["tom", "tommy"],
    "james": ["jim", "jimmy"], "michael": ["mike", "mick"], "elizabeth": ["liz", "beth", "lizzie"],
    "margaret": ["maggie", "peggy", "meg"], "katherine": ["kate", "kathy", "katie"], "jennifer": ["jen", "jenny"],
    "christopher": ["chris"], "alexander": ["alex"], "benjamin": ["ben"], "samuel": ["sam"],
    "matthew": ["matt"], "daniel": ["dan", "danny"], "joseph": ["joe"], "anthony": ["tony"],
    "patricia": ["pat", "trish"], "samantha": ["sam"], "rebecca": ["becky", "bec"], "jessica": ["jess"],
    "stephanie": ["steph"], "nicholas": ["nick"], "edward": ["ed", "ted"], "andrew": ["andy", "drew"],
    "abigail": ["abby"], "isabella": ["bella", "izzy"], "charlotte": ["charlie", "lottie"],
}
SURNAMES = (
    "smith jones williams brown wilson taylor johnson white martin anderson thompson nguyen "
    "thomas walker harris lee ryan robinson kelly king davis wright evans roberts green hall "
    "wood jackson clarke patel khan lewis james phillips mitchell campbell young allen scott "
    "turner hill edwards murphy collins stewart morris cook baker mason ward hughes carter "
    "bell parker cooper richardson watson clark miller moore bennett murray gray price walsh "
    "russell harrison hunt graham ross chapman fraser mills wallace shaw marshall ellis morgan "
    "hamilton webb simpson fisher griffiths doyle dunn reid ryder lawrence gibson burke "
    "armstrong matthews holmes stevens sullivan mcdonald obrien mccarthy oconnor byrne kennedy "
    "fitzgerald tran le pham chen wang zhang li liu singh sharma kaur rossi russo ferrari "
    "papadopoulos schmidt muller weber becker hoffmann dreyer browne chambers gardner hayes"
).split()
SYL = "ka ri mo ten sal vin dor bel lan mar tus ren gal po fer nis var kel dun ash bry cor hol wen tal mer ost lin rud sev".split()
STREET_WORDS = (
    "were bingley wallaby pridham hoseason kent victoria george king queen elizabeth albert "
    "william church station high park bridge mill river lake hill forest oak elm pine cedar "
    "wattle banksia acacia jarrah karri myrtle boronia grevillea waratah kookaburra lyrebird "
    "macquarie flinders sturt hume mitchell kennedy bradfield lawson blaxland wentworth "
    "hawkesbury murray darling namoi lachlan barwon gwydir"
).split()
STREET_KIND = "street road avenue place crescent drive court parade close way circuit lane terrace".split()
ADDRESS_2 = "rosedale, springfield park, the grange, kooringa, lakefront retrmnt vlge, westview, unit {n}, flat {n}, villa {n}, apartment {n}, po box {n}".split(", ")
STATES = [("nsw", "2"), ("vic", "3"), ("qld", "4"), ("wa", "6"), ("sa", "5"), ("tas", "7"), ("act", "2"), ("nt", "0")]
STATE_W = [32, 26, 20, 10, 7, 2, 2, 1]
PHONETIC = [("ph", "f"), ("f", "ph"), ("ck", "k"), ("ie", "y"), ("y", "ie"), ("ee", "ea"), ("ou", "ow"), ("c", "k"), ("z", "s"), ("s", "z"), ("ll", "l"), ("tt", "t"), ("th", "t")]


def rare_surname(r):
    return "".join(r.choice(SYL) for _ in range(r.choice([2, 2, 3]))) + r.choice(["", "s", "son", "er", "ley", "ton"])


class Place:
    def __init__(self, r):
        self.suburbs = []
        for _ in range(1500):
            name = "".join(r.choice(SYL) for _ in range(r.choice([2, 3])))
            if r.chance(0.25):
                name = r.choice(["north ", "south ", "east ", "west ", "mount ", "port "]) + name
            elif r.chance(0.2):
                name += r.choice([" heights", " park", " vale", " beach", " creek", " downs"])
            st, digit = r.choices(STATES, weights=STATE_W)[0]
            self.suburbs.append((name, st, digit + f"{r.randrange(1000):03d}"))
        self.suburb_cum = r.zipf_table(len(self.suburbs), 0.6)
        self.streets = [f"{w} {k}" for w in STREET_WORDS for k in STREET_KIND]
        r.shuffle(self.streets)
        self.street_cum = r.zipf_table(len(self.streets), 0.5)
        self.given_cum = r.zipf_table(len(GIVEN), 0.7)
        self.surname_cum = r.zipf_table(len(SURNAMES), 0.6)


def person(r, p):
    rec = {}
    rec["given_name"] = r.weighted(GIVEN, p.given_cum)
    rec["surname"] = r.weighted(SURNAMES, p.surname_cum) if r.chance(0.7) else rare_surname(r)
    rec["street_number"] = str(r.choice([r.randrange(1, 40), r.randrange(1, 400)]))
    rec["address_1"] = r.weighted(p.streets, p.street_cum)
    rec["address_2"] = r.choice(ADDRESS_2).format(n=r.randrange(1, 60)) if r.chance(0.4) else ""
    rec["suburb"], rec["state"], rec["postcode"] = p.suburbs[r.zipf(p.suburb_cum)]
    y, m, d = r.randrange(1925, 2008), r.randrange(1, 13), r.randrange(1, 29)
    rec["date_of_birth"] = f"{y}{m:02d}{d:02d}"
    rec["soc_sec_id"] = str(r.randrange(1_000_000, 10_000_000))
    # originals are not perfect either
    for f in ("street_number", "suburb", "postcode", "date_of_birth", "soc_sec_id", "given_name"):
        if r.chance(0.015):
            rec[f] = ""
    return rec


def phonetic(r, s):
    rules = [(a, b) for a, b in PHONETIC if a in s[1:]]
    if not rules:
        return typo(r, s)
    a, b = r.choice(rules)
    i = s.find(a, 1)
    return s[:i] + b + s[i + len(a) :]


def corrupt(r, rec, p):
    rec = dict(rec)
    for _ in range(r.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]):
        k = r.random()
        if k < 0.22:
            f = r.choice(["given_name", "surname", "surname", "address_1", "suburb"])
            rec[f] = typo(r, rec[f])
        elif k < 0.30:
            f = r.choice(["given_name", "surname"])
            rec[f] = phonetic(r, rec[f])
        elif k < 0.34:
            if rec["given_name"] in NICK:
                rec["given_name"] = r.choice(NICK[rec["given_name"]])
            else:
                rec["given_name"] = typo(r, rec["given_name"])
        elif k < 0.39:
            rec["given_name"], rec["surname"] = rec["surname"], rec["given_name"]
        elif k < 0.56:
            f = r.choices(
                ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"],
                weights=[6, 4, 10, 6, 12, 8, 8, 10, 8, 10],
            )[0]
            rec[f] = ""
        elif k < 0.66:
            dob = rec["date_of_birth"]
            if len(dob) == 8:
                y, m, d = dob[:4], dob[4:6], dob[6:]
                if int(d) <= 12 and d != m and r.chance(0.6):
                    rec["date_of_birth"] = y + d + m
                else:
                    rec["date_of_birth"] = digit_typo(r, dob)
        elif k < 0.74:
            rec["soc_sec_id"] = digit_typo(r, rec["soc_sec_id"])
        elif k < 0.80:
            rec["postcode"] = digit_typo(r, rec["postcode"])
        elif k < 0.85:
            rec["street_number"] = digit_typo(r, rec["street_number"]) if len(rec["street_number"]) > 1 else str(r.randrange(1, 40))
        elif k < 0.90:
            rec["address_2"] = "" if rec["address_2"] else r.choice(ADDRESS_2).format(n=r.randrange(1, 60))
        elif k < 0.95:
            rec["address_1"] = rec["address_1"].replace(" ", "", 1)
        else:
            # moved within the same suburb: another street and number
            rec["address_1"] = r.weighted(p.streets, p.street_cum)
            rec["street_number"] = str(r.randrange(1, 200))
    return rec


def write(path, size, seed=SEED):
    r = Rng(seed + size)
    p = Place(r)
    rows = []
    entity = 0
    while len(rows) < size:
        orig = person(r, p)
        dups = r.choices([0, 1, 2, 3, 4, 5], weights=[55, 25, 10, 5, 3, 2])[0]
        for k in range(min(1 + dups, size - len(rows))):
            rec = orig if k == 0 else corrupt(r, orig, p)
            rows.append([entity] + [rec[h] for h in HEADER[2:]])
        entity += 1
    r.shuffle(rows)
    out = [[f"p{i + 1:07d}", row[0], *row[1:]] for i, row in enumerate(rows)]
    write_csv_atomic(path, HEADER, out)
    return len(out)

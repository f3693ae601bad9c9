"""A namesake-heavy set of company cards (RU/JP/EN), with the true company as `truth`.

How it is built (independently of benches/dedupe.rs):
- Names are drawn from a popularity curve (Zipf): a handful of core names ("Ромашка", "Вектор",
  "三和印刷", "Stark Capital") are carried by hundreds or thousands of *distinct* companies, the
  tail by one. Cities are Zipf-drawn too, so namesakes often sit in the same city. Distinct
  companies never share a tax ID, phone or own mail domain; they may share a legal form, a street,
  a business-centre building (another office) or a free-mail provider.
- The same name under another legal form is another company (株式会社三和印刷 / 有限会社三和印刷,
  ООО / АО «Ромашка»).
- Each card comes from one of four source systems (accounting export, CRM typed by hand, web
  form, spreadsheet), each with its own habits: which fields it fills, how it writes the legal
  form, the phone, the tax ID, the address; hand-typed sources make typos; web forms transliterate.
- A company may have a second phone line, several mailboxes on its domain and an old address that
  older cards still carry.
"""

from common import Rng, digit_typo, typo, write_csv_atomic

SEED = 20261202
CARDS = 80_000
HEADER = [
    "id",
    "truth",
    "name",
    "tax_id",
    "registration_id",
    "phone",
    "email",
    "website",
    "address",
    "postal_code",
    "city",
    "region",
    "country",
]

# ---------------------------------------------------------------- Russian
RU_COMMON = (
    "Ромашка Вектор Альфа Гарант Меридиан Прогресс Восток Сибирь Лидер Стандарт Статус Профи "
    "Капитал Авангард Феникс Орион Атлант Эталон Партнер Перспектива Импульс Ресурс Спектр Успех "
    "Радуга Континент Альянс Надежда Мегаполис Горизонт Универсал Ника Алмаз Венера Сфера Союз "
    "Аврора Олимп Фортуна Астра Вертикаль Форвард Регион Терминал Квант Кристалл Магистраль Прайм "
    "Оптима Гермес Титан Зенит Монолит Север Полюс Легион Виктория Янтарь Рассвет Берёзка"
).split()
RU_PARTS_A = "Строй Техно Пром Агро Энерго Мед Транс Тех Инвест Авто Нефть Газ Лес Хим Металл Сиб Урал Волга Гео Инфо".split()
RU_PARTS_B = "Сервис Трейд Снаб Групп Монтаж Комплект Ресурс Проект Систем Логистик Маркет Холдинг Инвест Консалт".split()
RU_FORMS = {  # key: (short, long, weight)
    "ООО": ("ООО", "Общество с ограниченной ответственностью", 0.78),
    "АО": ("АО", "Акционерное общество", 0.09),
    "ЗАО": ("ЗАО", "Закрытое акционерное общество", 0.04),
    "ПАО": ("ПАО", "Публичное акционерное общество", 0.01),
    "ИП": ("ИП", "Индивидуальный предприниматель", 0.08),
}
RU_FORM_LATIN = {"ООО": ("OOO", "LLC"), "АО": ("AO", "JSC"), "ЗАО": ("ZAO", "CJSC"), "ПАО": ("PAO", "PJSC"), "ИП": ("IP", "IE")}
# (city, region, INN region code, phone area codes, postal prefix, Zipf rank order)
RU_CITIES = [
    ("Москва", "Москва", "77", ["495", "499"], "1"),
    ("Санкт-Петербург", "Санкт-Петербург", "78", ["812"], "19"),
    ("Екатеринбург", "Свердловская область", "66", ["343"], "620"),
    ("Новосибирск", "Новосибирская область", "54", ["383"], "630"),
    ("Казань", "Республика Татарстан", "16", ["843"], "420"),
    ("Краснодар", "Краснодарский край", "23", ["861"], "350"),
    ("Нижний Новгород", "Нижегородская область", "52", ["831"], "603"),
    ("Самара", "Самарская область", "63", ["846"], "443"),
    ("Ростов-на-Дону", "Ростовская область", "61", ["863"], "344"),
    ("Челябинск", "Челябинская область", "74", ["351"], "454"),
    ("Уфа", "Республика Башкортостан", "02", ["347"], "450"),
    ("Пермь", "Пермский край", "59", ["342"], "614"),
    ("Воронеж", "Воронежская область", "36", ["473"], "394"),
    ("Тверь", "Тверская область", "69", ["4822"], "170"),
]
RU_STREETS = (
    "Ленина Мира Советская Гагарина Пушкина Лесная Садовая Школьная Центральная Молодёжная "
    "Набережная Заводская Октябрьская Кирова Профсоюзная Строителей Победы Комсомольская Чапаева "
    "Маяковского Луговая Полевая Первомайская Калинина Свердлова"
).split()
RU_STREET_KIND = [("ул.", "улица"), ("пр-т", "проспект"), ("пер.", "переулок"), ("ш.", "шоссе")]
RU_GIVEN = "Иван Сергей Алексей Андрей Дмитрий Михаил Николай Ольга Елена Наталья Татьяна Анна".split()
RU_FAMILY = "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков".split()
RU_PATRON = "Иванович Сергеевич Петрович Алексеевич Андреевич Николаевич Михайлович".split()
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
    )
)
FREE_MAIL_RU = ["mail.ru", "yandex.ru", "bk.ru", "list.ru", "gmail.com", "inbox.ru"]

# ---------------------------------------------------------------- Japanese
JP_PREFIX = [
    ("三和", "Sanwa"), ("山田", "Yamada"), ("東洋", "Toyo"), ("日本", "Nihon"), ("大和", "Yamato"),
    ("富士", "Fuji"), ("中央", "Chuo"), ("昭和", "Showa"), ("丸山", "Maruyama"), ("大成", "Taisei"),
    ("協和", "Kyowa"), ("第一", "Daiichi"), ("朝日", "Asahi"), ("松本", "Matsumoto"), ("高橋", "Takahashi"),
    ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("田中", "Tanaka"), ("東京", "Tokyo"), ("関東", "Kanto"),
    ("九州", "Kyushu"), ("平和", "Heiwa"), ("共栄", "Kyoei"), ("三協", "Sankyo"), ("日東", "Nitto"),
    ("東邦", "Toho"), ("明治", "Meiji"), ("大同", "Daido"), ("千代田", "Chiyoda"), ("丸一", "Maruichi"),
    ("山本", "Yamamoto"), ("中村", "Nakamura"), ("北陸", "Hokuriku"), ("光和", "Kowa"), ("新光", "Shinko"),
]
JP_SUFFIX = [
    ("印刷", "Insatsu"), ("商事", "Shoji"), ("建設", "Kensetsu"), ("工業", "Kogyo"), ("電機", "Denki"),
    ("運輸", "Unyu"), ("物産", "Bussan"), ("製作所", "Seisakusho"), ("産業", "Sangyo"), ("商会", "Shokai"),
    ("食品", "Shokuhin"), ("不動産", "Fudosan"), ("技研", "Giken"), ("精機", "Seiki"), ("化学", "Kagaku"),
    ("設計", "Sekkei"), ("薬品", "Yakuhin"), ("興産", "Kosan"),
]
JP_FORMS = {  # key: (full, abbreviations, romaji, weight)
    "株式会社": ("株式会社", ["(株)", "㈱", "（株）"], "Co., Ltd.", 0.70),
    "有限会社": ("有限会社", ["(有)", "㈲", "（有）"], "Ltd.", 0.22),
    "合同会社": ("合同会社", ["(同)"], "LLC", 0.08),
}
# (city, prefecture, area code, postal prefix, towns)
JP_CITIES = [
    ("千代田区", "東京都", "03", "100", ["丸の内", "大手町", "神田"]),
    ("港区", "東京都", "03", "105", ["芝", "赤坂", "新橋"]),
    ("大阪市", "大阪府", "06", "530", ["梅田", "中之島", "本町"]),
    ("名古屋市", "愛知県", "052", "460", ["栄", "錦", "丸の内"]),
    ("横浜市", "神奈川県", "045", "220", ["みなとみらい", "北幸", "桜木町"]),
    ("札幌市", "北海道", "011", "060", ["北一条西", "大通西", "南一条"]),
    ("福岡市", "福岡県", "092", "812", ["博多駅前", "天神", "中洲"]),
    ("京都市", "京都府", "075", "600", ["四条", "烏丸", "河原町"]),
]
KANJI_NUM = "〇一二三四五六七八九"
FULLWIDTH = str.maketrans("0123456789-()", "０１２３４５６７８９－（）")

# ---------------------------------------------------------------- English (US)
EN_WORDS = (
    "Stark Summit Pioneer Acme Liberty Eagle Atlas Apex Keystone Harbor Sterling Evergreen Granite "
    "Pinnacle Horizon Beacon Cornerstone Meridian Frontier Heritage Redwood Silverline Northstar "
    "Blue Ridge Lakeside Oak Park Riverbend Ironwood Crescent Highland Madison Franklin Lincoln "
    "Jefferson Hamilton Whitman Carter Bennett Sullivan"
).split()
EN_TRADE = (
    "Capital Partners Logistics Supply Holdings Consulting Construction Foods Systems Solutions "
    "Realty Medical Analytics Energy Printing Trading Ventures Media Labs Services"
).split()
EN_FORMS = {  # key: (renderings, long, weight)
    "LLC": (["LLC", "L.L.C.", "llc", ", LLC"], "Limited Liability Company", 0.55),
    "Inc": (["Inc", "Inc.", ", Inc.", "INC"], "Incorporated", 0.30),
    "Corp": (["Corp", "Corp.", "Corporation"], "Corporation", 0.10),
    "Co": (["Co", "Co.", "Company"], "Company", 0.05),
}
# (city, state, area codes, ZIP prefix)
EN_CITIES = [
    ("New York", "NY", ["212", "646"], "100"),
    ("Chicago", "IL", ["312", "773"], "606"),
    ("Los Angeles", "CA", ["213", "310"], "900"),
    ("Houston", "TX", ["713"], "770"),
    ("Boston", "MA", ["617"], "021"),
    ("Seattle", "WA", ["206"], "981"),
    ("Denver", "CO", ["303"], "802"),
    ("Atlanta", "GA", ["404"], "303"),
    ("Miami", "FL", ["305"], "331"),
    ("Portland", "OR", ["503"], "972"),
]
EN_STREETS = "Main Oak Maple Washington Park Elm Pine Cedar Lake Hill Market Broadway Madison State".split()
EN_STREET_KIND = [("St", "Street"), ("Ave", "Avenue"), ("Blvd", "Boulevard"), ("Rd", "Road"), ("Dr", "Drive")]
EIN_PREFIXES = [p for lo, hi in [(10, 16), (20, 27), (30, 48), (50, 68), (71, 77), (80, 88), (90, 95)] for p in range(lo, hi + 1)]

SOURCES = ["accounting", "crm", "webform", "sheet"]
# per source: probability that the card carries the field
FILL = {
    "accounting": dict(tax_id=0.95, registration_id=0.45, phone=0.8, email=0.55, website=0.25, address=0.95, postal_code=0.9, city=0.9, region=0.6),
    "crm": dict(tax_id=0.45, registration_id=0.05, phone=0.85, email=0.75, website=0.5, address=0.6, postal_code=0.35, city=0.85, region=0.3),
    "webform": dict(tax_id=0.15, registration_id=0.0, phone=0.9, email=0.97, website=0.35, address=0.25, postal_code=0.15, city=0.7, region=0.1),
    "sheet": dict(tax_id=0.6, registration_id=0.15, phone=0.75, email=0.6, website=0.3, address=0.7, postal_code=0.5, city=0.8, region=0.4),
}


def translit(s):
    return "".join(TRANSLIT.get(c.lower(), c.lower()).replace("_", "") if c.isalpha() or c in "ёЁ" else c for c in s)


def slug(s):
    return "".join(c for c in translit(s) if c.isascii() and c.isalnum())


def cap(s):
    return s[:1].upper() + s[1:]


def inn10(rng, region):
    body = [int(c) for c in region] + [rng.randrange(10) for _ in range(7)]
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return "".join(map(str, body)) + str(sum(a * b for a, b in zip(body, w)) % 11 % 10)


def inn12(rng, region):
    body = [int(c) for c in region] + [rng.randrange(10) for _ in range(8)]
    w1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    body.append(sum(a * b for a, b in zip(body, w1)) % 11 % 10)
    w2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    body.append(sum(a * b for a, b in zip(body, w2)) % 11 % 10)
    return "".join(map(str, body))


def ogrn(rng, individual):
    if individual:
        base = "3" + "".join(str(rng.randrange(10)) for _ in range(13))
        return base + str(int(base) % 13 % 10)
    base = rng.choice("15") + "".join(str(rng.randrange(10)) for _ in range(11))
    return base + str(int(base) % 11 % 10)


def jp_corporate(rng):
    base = [rng.randrange(10) for _ in range(12)]
    s = sum(d * (1 if n % 2 == 0 else 2) for n, d in enumerate(reversed(base)))
    return str(9 - s % 9) + "".join(map(str, base))


def ein(rng):
    return f"{rng.choice(EIN_PREFIXES):02d}{rng.randrange(10**7):07d}"


class Unique:
    """Draws until a value not yet used: distinct companies never share it."""

    def __init__(self):
        self.used = set()

    def __call__(self, draw, widen=None):
        for _ in range(30):
            v = draw()
            if v not in self.used:
                self.used.add(v)
                return v
        # a crowded space (a popular name's domains): widen it with a number
        n = 2
        while True:
            v = widen(draw(), n)
            if v not in self.used:
                self.used.add(v)
                return v
            n += 1


def widen_domain(d, n):
    name, _, tld = d.partition(".")
    return f"{name}{n}.{tld}"


def widen_mailbox(m, n):
    user, _, dom = m.partition("@")
    return f"{user}{n}@{dom}"


class World:
    def __init__(self, rng):
        self.rng = rng
        self.tax = Unique()
        self.phone = Unique()
        self.domain = Unique()
        self.mailbox = Unique()
        ru_names = RU_COMMON + [a + b.lower() for b in RU_PARTS_B for a in RU_PARTS_A]
        self.ru_names = ru_names
        self.ru_names_cum = rng.zipf_table(len(ru_names), 1.05)
        # JP names: rank by (prefix rank + 1) * (suffix rank + 1), so 三和印刷 is the commonest
        jp = sorted(((p, s) for p in JP_PREFIX for s in JP_SUFFIX), key=lambda ps: (JP_PREFIX.index(ps[0]) + 1) * (JP_SUFFIX.index(ps[1]) + 1))
        self.jp_names = jp
        self.jp_names_cum = rng.zipf_table(len(jp), 0.95)
        en = sorted(((w, t) for w in EN_WORDS for t in EN_TRADE), key=lambda wt: (EN_WORDS.index(wt[0]) + 1) * (EN_TRADE.index(wt[1]) + 1))
        self.en_names = en
        self.en_names_cum = rng.zipf_table(len(en), 0.95)
        self.ru_city_cum = rng.zipf_table(len(RU_CITIES), 1.1)
        self.jp_city_cum = rng.zipf_table(len(JP_CITIES), 1.0)
        self.en_city_cum = rng.zipf_table(len(EN_CITIES), 0.9)
        # business centres: one building, many tenants (another office each)
        self.centres = {}

    def form(self, forms):
        keys = list(forms)
        return self.rng.choices(keys, weights=[forms[k][-1] for k in keys])[0]

    def centre(self, lang, city_index, make):
        key = (lang, city_index)
        if key not in self.centres:
            self.centres[key] = [make() for _ in range(6)]
        return self.rng.choice(self.centres[key])


# ---------------------------------------------------------------- entities
def ru_entity(w):
    r = w.rng
    form = w.form(RU_FORMS)
    ci = r.zipf(w.ru_city_cum)
    city, region, inn_region, areas, postal = RU_CITIES[ci]
    e = dict(lang="ru", form=form, city=ci)
    if form == "ИП":
        fam, giv, pat = r.choice(RU_FAMILY), r.choice(RU_GIVEN), r.choice(RU_PATRON)
        if giv[-1] == "а":  # feminine
            fam, pat = fam + "а", pat.replace("ич", "на")
        e["core"] = f"{fam} {giv} {pat}"
        e["initials"] = f"{fam} {giv[0]}.{pat[0]}."
        e["tax"] = w.tax(lambda: inn12(r, inn_region))
        e["ogrn"] = w.tax(lambda: ogrn(r, True))
    else:
        e["core"] = w.ru_names[r.zipf(w.ru_names_cum)]
        e["tax"] = w.tax(lambda: inn10(r, inn_region))
        e["ogrn"] = w.tax(lambda: ogrn(r, False))

    def phone():
        area = r.choice(areas)
        return w.phone(lambda: area + "".join(str(r.randrange(10)) for _ in range(10 - len(area))))

    e["phones"] = [phone()] + ([phone()] if r.chance(0.25) else [])
    base = slug(e["core"].split()[0])
    if r.chance(0.18) or form == "ИП":
        e["free_mail"] = True
        e["domain"] = r.choice(FREE_MAIL_RU)
        e["mailboxes"] = [w.mailbox(lambda: f"{base}{r.choice(['', '.', '_', '-'])}{r.randrange(1, 2000)}@{e['domain']}", widen_mailbox)]
        e["website"] = None
    else:
        tld = r.choice([".ru", ".ru", ".ru", ".рф", ".com"]) if True else ""
        tld = ".ru" if tld == ".рф" else tld
        e["domain"] = w.domain(lambda: r.choice([base, f"{base}-{slug(city)[:3]}", f"{base}{r.randrange(1, 100)}", f"{base}-{r.choice(['group', 'pro', 'trade', 'stroy', 'service'])}", f"{base}{r.randrange(1995, 2024)}"]) + tld, widen_domain)
        e["mailboxes"] = [f"{m}@{e['domain']}" for m in r.sample(["info", "office", "sales", "zakaz", "buh", slug(r.choice(RU_FAMILY))], r.randrange(1, 4))]
        e["website"] = e["domain"]

    def address():
        street = r.choice(RU_STREETS)
        kind = r.choice(RU_STREET_KIND)
        return dict(street=street, kind=kind, house=str(r.randrange(1, 150)), office=str(r.randrange(1, 400)) if r.chance(0.6) else "", postal=postal + "".join(str(r.randrange(10)) for _ in range(6 - len(postal))))

    if r.chance(0.15):
        a = dict(w.centre("ru", ci, address))
        a["office"] = str(r.randrange(1, 900))
        e["address"] = a
    else:
        e["address"] = address()
    e["old_address"] = address() if r.chance(0.12) else None
    return e


def jp_entity(w):
    r = w.rng
    form = w.form(JP_FORMS)
    ci = r.zipf(w.jp_city_cum)
    city, pref, area, postal, towns = JP_CITIES[ci]
    (pk, pr), (sk, sr) = w.jp_names[r.zipf(w.jp_names_cum)]
    e = dict(lang="jp", form=form, city=ci, core=pk + sk, romaji=f"{pr} {sr}", prefix_form=r.chance(0.6))
    e["tax"] = w.tax(lambda: jp_corporate(r))

    def phone():
        return w.phone(lambda: area + "".join(str(r.randrange(10)) for _ in range(10 - len(area))))

    e["phones"] = [phone()] + ([phone()] if r.chance(0.2) else [])
    base = pr.lower() + "-" + sr.lower()[:4]
    e["domain"] = w.domain(lambda: r.choice([base.replace("-", ""), base, f"{pr.lower()}{r.randrange(1, 100)}", f"{base}-{r.choice(['corp', 'grp', 'net'])}"]) + r.choice([".co.jp", ".co.jp", ".jp", ".com"]), widen_domain)
    e["free_mail"] = False
    e["mailboxes"] = [f"{m}@{e['domain']}" for m in r.sample(["info", "contact", "sales", "eigyo", "soumu", "support"], r.randrange(1, 3))]
    e["website"] = e["domain"] if r.chance(0.85) else None

    def address():
        return dict(town=r.choice(towns), chome=r.randrange(1, 6), ban=r.randrange(1, 30), go=r.randrange(1, 20), building=f"{r.choice(['第一', '第二', '中央', 'センター'])}ビル{r.randrange(2, 12)}F" if r.chance(0.5) else "", postal=postal + f"{r.randrange(10000):04d}")

    if r.chance(0.15):
        a = dict(w.centre("jp", ci, address))
        a["building"] = (a["building"] or "センタービル") .split("ビル")[0] + f"ビル{r.randrange(2, 30)}F"
        e["address"] = a
    else:
        e["address"] = address()
    e["old_address"] = address() if r.chance(0.1) else None
    return e


def en_entity(w):
    r = w.rng
    form = w.form(EN_FORMS)
    ci = r.zipf(w.en_city_cum)
    city, state, areas, zip3 = EN_CITIES[ci]
    word, trade = w.en_names[r.zipf(w.en_names_cum)]
    e = dict(lang="en", form=form, city=ci, core=f"{word} {trade}")
    e["tax"] = w.tax(lambda: ein(r))

    def phone():
        area = r.choice(areas)
        return w.phone(lambda: area + str(r.randrange(2, 10)) + "".join(str(r.randrange(10)) for _ in range(6)))

    e["phones"] = [phone()] + ([phone()] if r.chance(0.25) else [])
    base = (word + trade).lower().replace(" ", "")
    e["domain"] = w.domain(lambda: r.choice([base, f"{word.lower()}-{trade.lower()}", f"{word.lower()}{trade.lower()[:3]}", f"{base}{city.lower().replace(' ', '')[:3]}", f"{base}{r.randrange(1, 100)}"]) + r.choice([".com", ".com", ".net", ".co", ".us"]), widen_domain)
    e["free_mail"] = r.chance(0.08)
    if e["free_mail"]:
        e["mailboxes"] = [w.mailbox(lambda: f"{base}{r.randrange(1, 999)}@{r.choice(['gmail.com', 'yahoo.com', 'outlook.com'])}", widen_mailbox)]
        e["website"] = e["domain"] if r.chance(0.3) else None
    else:
        e["mailboxes"] = [f"{m}@{e['domain']}" for m in r.sample(["info", "contact", "sales", "office", "hello", r.choice(["jsmith", "mary", "ap", "billing"])], r.randrange(1, 4))]
        e["website"] = e["domain"]

    def address():
        return dict(number=str(r.randrange(1, 9000)), street=r.choice(EN_STREETS), kind=r.choice(EN_STREET_KIND), suite=str(r.randrange(100, 2000)) if r.chance(0.5) else "", postal=zip3 + f"{r.randrange(100):02d}")

    if r.chance(0.15):
        a = dict(w.centre("en", ci, address))
        a["suite"] = str(r.randrange(100, 4000))
        e["address"] = a
    else:
        e["address"] = address()
    e["old_address"] = address() if r.chance(0.12) else None
    return e


# ---------------------------------------------------------------- rendering one card
def ru_name(r, e, src):
    short, long_, _ = RU_FORMS[e["form"]]
    core = e["core"]
    if e["form"] == "ИП":
        core = e["initials"] if r.chance(0.3) else core
        style = r.random()
        if src == "webform" and r.chance(0.2):
            return f"IP {cap(translit(core))}"
        if style < 0.5:
            return f"ИП {core}"
        if style < 0.7:
            return f"{long_} {core}"
        if style < 0.85:
            return core
        return f"{core} ИП"
    q = r.choice([("«", "»"), ('"', '"'), ("“", "”"), ("", "")])
    if src == "webform" and r.chance(0.2):
        lat = cap(translit(core))
        lshort, lsuffix = RU_FORM_LATIN[e["form"]]
        return r.choice([f"{lshort} {lat}", f"{lat} {lsuffix}", f'{lshort} "{lat}"', lat])
    if src == "crm" and r.chance(0.15):
        core = typo(r, core)
    if r.chance(0.12):
        core = core.upper()
    style = r.random()
    if src == "accounting":
        return f"{long_} {q[0]}{core}{q[1]}" if style < 0.4 else f"{short} {q[0]}{core}{q[1]}"
    if style < 0.45:
        return f"{short} {q[0]}{core}{q[1]}"
    if style < 0.65:
        return f"{q[0]}{core}{q[1]}, {short}" if r.chance(0.5) else f"{core} {short}"
    if style < 0.75:
        return f"{long_} {q[0]}{core}{q[1]}"
    return f"{q[0]}{core}{q[1]}"


def jp_name(r, e, src):
    full, abbrs, rom, _ = JP_FORMS[e["form"]]
    core = e["core"]
    if src == "webform" and r.chance(0.25):
        return r.choice([f"{e['romaji']} {rom}", f"{e['romaji'].upper()} {rom.upper()}", e["romaji"]])
    if src == "crm" and r.chance(0.1) and len(core) > 2:
        i = r.randrange(len(core))
        core = core[:i] + core[i + 1 :]
    style = r.random()
    form = full if style < 0.6 else (r.choice(abbrs) if style < 0.85 else "")
    sep = " " if r.chance(0.15) else ""
    if not form:
        return core
    return f"{form}{sep}{core}" if e["prefix_form"] else f"{core}{sep}{form}"


def en_name(r, e, src):
    renders, long_, _ = EN_FORMS[e["form"]]
    core = e["core"]
    if src in ("crm", "sheet") and r.chance(0.12):
        core = typo(r, core)
    if r.chance(0.1):
        core = core.upper()
    style = r.random()
    if style < 0.6:
        f = r.choice(renders)
        return f"{core}{f}" if f.startswith(",") else f"{core} {f}"
    if style < 0.7:
        return f"{core} {long_}"
    if style < 0.78:
        return f"The {core} {r.choice(renders).lstrip(', ')}"
    return core


def ru_phone(r, d):
    a, n = d[:3], d[3:]
    if len(d) == 10 and d[:4] == "4822":
        a, n = d[:4], d[4:]
    p = f"{n[:-4]}-{n[-4:-2]}-{n[-2:]}" if len(n) == 7 else f"{n[:-4]}-{n[-4:]}"
    return r.choice([f"+7 ({a}) {p}", f"8 ({a}) {p}", f"8{d}", f"+7{d}", f"+7 {a} {n}", f"7{d}", f"({a}) {p}", f"8-{a}-{p}"])


def jp_phone(r, d):
    a = "03" if d.startswith("03") else ("06" if d.startswith("06") else d[:3])
    rest = d[len(a) :]
    mid = rest[:-4]
    s = r.choice([f"{a}-{mid}-{rest[-4:]}", d, f"+81-{a[1:]}-{mid}-{rest[-4:]}", f"({a}){mid}-{rest[-4:]}", f"+81 {a[1:]} {mid} {rest[-4:]}"])
    return s.translate(FULLWIDTH) if r.chance(0.15) else s


def en_phone(r, d):
    s = r.choice([f"({d[:3]}) {d[3:6]}-{d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}", f"+1 {d[:3]} {d[3:6]} {d[6:]}", d, f"1-{d[:3]}-{d[3:6]}-{d[6:]}", f"{d[:3]}.{d[3:6]}.{d[6:]}"])
    return s + f" x{r.randrange(10, 999)}" if r.chance(0.08) else s


def ru_address(r, e, a, src):
    city = RU_CITIES[e["city"]][0]
    short, long_ = a["kind"]
    kind = long_ if r.chance(0.3) else short
    street = a["street"]
    if src == "crm" and r.chance(0.15):
        street = typo(r, street)
    house = r.choice([f"д. {a['house']}", f"д.{a['house']}", a["house"]])
    parts = [f"{kind} {street}", house]
    if a["office"] and r.chance(0.8):
        parts.append(r.choice([f"оф. {a['office']}", f"офис {a['office']}", f"пом. {a['office']}"]))
    s = ", ".join(parts)
    if src == "accounting" and r.chance(0.6):
        s = f"{a['postal']}, г. {city}, {s}"
    elif r.chance(0.25):
        s = f"г. {city}, {s}"
    return s


def jp_address(r, e, a, src):
    city, pref = JP_CITIES[e["city"]][:2]
    if r.chance(0.5):
        body = f"{a['town']}{a['chome']}-{a['ban']}-{a['go']}"
    else:
        body = f"{a['town']}{KANJI_NUM[a['chome']]}丁目{a['ban']}番{a['go']}号"
    if r.chance(0.2):
        body = body.translate(FULLWIDTH)
    if a["building"] and r.chance(0.7):
        body += " " + a["building"]
    lead = r.choice([f"{pref}{city}", city, f"〒{a['postal'][:3]}-{a['postal'][3:]} {pref}{city}"])
    return lead + body


def en_address(r, e, a, src):
    short, long_ = a["kind"]
    street = a["street"]
    if src == "crm" and r.chance(0.12):
        street = typo(r, street)
    s = f"{a['number']} {street} {long_ if r.chance(0.35) else short}"
    if a["suite"] and r.chance(0.75):
        s += r.choice([f", Suite {a['suite']}", f" Ste {a['suite']}", f" #{a['suite']}"])
    if r.chance(0.1):
        s = s.upper()
    return s


def render(r, e, src):
    fill = FILL[src]
    lang = e["lang"]
    row = dict.fromkeys(HEADER[2:], "")
    row["name"] = {"ru": ru_name, "jp": jp_name, "en": en_name}[lang](r, e, src)

    if r.chance(fill["tax_id"]):
        t = e["tax"]
        if r.chance(0.03):
            t = digit_typo(r, t)
        if lang == "ru":
            t = r.choice([t, t, f"ИНН {t}", f"{t[:4]} {t[4:]}"]) if src != "accounting" else t
        elif lang == "jp":
            t = r.choice([t, f"{t[:1]}-{t[1:5]}-{t[5:9]}-{t[9:]}", f"法人番号 {t}"])
        else:
            t = r.choice([f"{t[:2]}-{t[2:]}", t])
        row["tax_id"] = t
    if lang == "ru" and r.chance(fill["registration_id"]):
        row["registration_id"] = e["ogrn"]
    if r.chance(fill["phone"]):
        d = e["phones"][1] if len(e["phones"]) > 1 and r.chance(0.35) else e["phones"][0]
        if r.chance(0.02):
            d = digit_typo(r, d)
        row["phone"] = {"ru": ru_phone, "jp": jp_phone, "en": en_phone}[lang](r, d)
    if r.chance(fill["email"]):
        m = r.choice(e["mailboxes"])
        style = r.random()
        if style < 0.15:
            m = m.upper()
        elif style < 0.3:
            user, dom = m.split("@")
            m = f"{cap(user)}@{cap(dom)}"
        row["email"] = m
    if e["website"] and r.chance(fill["website"]):
        row["website"] = r.choice([e["website"], f"www.{e['website']}", f"https://{e['website']}/", f"http://www.{e['website']}"])

    a = e["old_address"] if e["old_address"] and r.chance(0.4) else e["address"]
    if r.chance(fill["address"]):
        row["address"] = {"ru": ru_address, "jp": jp_address, "en": en_address}[lang](r, e, a, src)
    if r.chance(fill["postal_code"]):
        p = a["postal"]
        if lang == "jp":
            p = r.choice([p, f"{p[:3]}-{p[3:]}", f"〒{p[:3]}-{p[3:]}"])
        elif lang == "en" and r.chance(0.2):
            p = f"{p}-{r.randrange(10000):04d}"
        row["postal_code"] = p
    if r.chance(fill["city"]):
        if lang == "ru":
            c = RU_CITIES[e["city"]][0]
            row["city"] = r.choice([c, c, f"г. {c}", f"г {c}", c.upper()]) if src != "webform" or r.chance(0.7) else cap(translit(c))
        elif lang == "jp":
            c, pref = JP_CITIES[e["city"]][:2]
            row["city"] = r.choice([c, f"{pref}{c}"])
        else:
            c = EN_CITIES[e["city"]][0]
            row["city"] = r.choice([c, c, c.upper(), c.lower()])
    if r.chance(fill["region"]):
        row["region"] = {"ru": lambda: RU_CITIES[e["city"]][1], "jp": lambda: JP_CITIES[e["city"]][1], "en": lambda: EN_CITIES[e["city"]][1]}[lang]()
    if r.chance(0.5):
        row["country"] = {"ru": r.choice(["Россия", "RU", "Российская Федерация"]), "jp": r.choice(["日本", "JP", "Japan"]), "en": r.choice(["USA", "US", "United States"])}[lang]
    return row


def write(path, cards=CARDS, seed=SEED):
    r = Rng(seed)
    w = World(r)
    rows = []
    entity = 0
    while len(rows) < cards:
        lang = r.choices(["ru", "jp", "en"], weights=[0.45, 0.25, 0.30])[0]
        e = {"ru": ru_entity, "jp": jp_entity, "en": en_entity}[lang](w)
        # cards per company: many singletons, a long tail of often-touched accounts
        n = r.choices([1, 2, 3, 4, 5, 6, 8, 12], weights=[44, 24, 13, 8, 5, 3, 2, 1])[0]
        home = r.choice(SOURCES)
        for _ in range(min(n, cards - len(rows))):
            src = home if r.chance(0.3) else r.choice(SOURCES)
            row = render(r, e, src)
            rows.append([entity] + [row[h] for h in HEADER[2:]])
        entity += 1
    r.shuffle(rows)
    out = [[f"c{i + 1:06d}", f"e{row[0]:06d}", *row[1:]] for i, row in enumerate(rows)]
    write_csv_atomic(path, HEADER, out)
    return len(out)

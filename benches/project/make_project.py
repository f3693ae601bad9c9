"""A migration project at go-live scale for `golive run`: one CSV of organization
cards and one CSV of contact persons who name their company.

- orgs.csv: the namesake-heavy company cards of benches/peers/companies.py (RU/JP/EN,
  four source systems' habits, duplicates with typos), headers as a generic export writes them.
- contacts.csv: persons (given, family name, e-mail, phone, company as typed), each of a company
  drawn from the cards: its name as one card writes it (sometimes without the legal form or
  in another case), a mailbox on the company's own domain when it has one, else a free-mail one.

Usage: make_project.py DIR [ORGS] [PERSONS] [CRM]   (defaults 1,000,000, 300,000, no [target])
CRM adds `[target] crm = "CRM"` (a file target: salesforce, hubspot, bitrix24, odoo…).
"""

import csv
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "peers"))
import companies  # noqa: E402

GIVEN = "Анна Иван Мария Сергей Ольга Дмитрий Елена Алексей Наталья Андрей John Mary James Linda Robert Emma 太郎 花子 健 由美".split()
FAMILY = "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Smith Johnson Brown Garcia Miller Davis 佐藤 鈴木 高橋 田中 伊藤".split()
FREE = ["mail.ru", "yandex.ru", "gmail.com", "yahoo.co.jp", "outlook.com"]


def main():
    out = sys.argv[1]
    orgs = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    persons = int(sys.argv[3]) if len(sys.argv) > 3 else 300_000
    crm = sys.argv[4] if len(sys.argv) > 4 else None
    src = os.path.join(out, "sources")
    os.makedirs(src, exist_ok=True)
    raw = os.path.join(out, "cards.tmp.csv")
    companies.write(raw, cards=orgs)
    header = ["ID", "Truth", "Company", "Tax ID", "Registration Number", "Phone", "Email",
              "Website", "Address", "Zip", "City", "State", "Country"]
    cards = []
    with open(raw, newline="", encoding="utf-8") as f, \
            open(os.path.join(src, "orgs.csv"), "w", newline="", encoding="utf-8") as g:
        r = csv.reader(f)
        w = csv.writer(g)
        next(r)
        w.writerow(header)
        for row in r:
            w.writerow(row)
            cards.append((row[2], row[6]))
    os.remove(raw)
    rng = random.Random(20261202)
    with open(os.path.join(src, "contacts.csv"), "w", newline="", encoding="utf-8") as g:
        w = csv.writer(g)
        w.writerow(["Contact ID", "First Name", "Last Name", "Company", "Email", "Phone"])
        for i in range(persons):
            name, email = cards[rng.randrange(len(cards))]
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            domain = email.split("@", 1)[1].lower() if "@" in email else rng.choice(FREE)
            if domain in FREE or rng.random() < 0.2:
                domain = rng.choice(FREE)
            mailbox = f"p{i}.{rng.randrange(1000)}@{domain}"
            company = name if rng.random() < 0.8 else name.upper()
            phone = f"+7 9{rng.randrange(10**9):09d}" if rng.random() < 0.7 else ""
            w.writerow([f"P{i:07d}", given, family, company, mailbox, phone])
    with open(os.path.join(out, "golive.toml"), "w", encoding="utf-8") as g:
        g.write(
            '[project]\nname = "scale"\nregion = "RU"\n\n'
            '[[source]]\nname = "orgs"\npath = "sources/orgs.csv"\nprofile = "generic-org-en"\n\n'
            '[[source]]\nname = "contacts"\npath = "sources/contacts.csv"\nprofile = "generic-contacts-en"\n'
        )
        if crm:
            g.write(f'\n[target]\ncrm = "{crm}"\n')


if __name__ == "__main__":
    main()

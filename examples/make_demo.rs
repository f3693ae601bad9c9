//! Regenerates `samples/demo/`: a small messy migration project (RU / JP / EN sources).
//!
//!     cargo run --example make_demo [-- OUT_DIR]     (default: samples/demo)
//!
//! Deterministic: no randomness, no clock. XLSX document properties carry a fixed date and
//! rust_xlsxwriter writes fixed zip timestamps, so re-running produces identical bytes.
//!
//! What is deliberately wrong in the data (so ingest, normalize, match and link have work):
//! - 1C: a title block above the header, ИНН stored as numbers (region 02/03 ИНН lose their
//!   leading zero), one ИНН with a bad checksum, ООО/АО/ПАО/ИП spelled as prefix, suffix,
//!   long form and with «» / "" quotes, one company entered twice, every phone habit, free-mail
//!   addresses, a folder (group) row, a row without a name.
//! - freee: CP932, full-width digits and dashes, 内線 extensions, (株)/㈱, 前株/後株, the same
//!   company typed three ways, 髙 (IBM extension kanji), T-numbers with valid check digits.
//! - QuickBooks: duplicates ("ACME WIDGETS, INC." / "Acme Widgets Inc"), a sub-customer
//!   "Customer:Job", a quoted newline, a ragged row (unquoted comma), US phone habits.
//! - contacts.xlsx: people in RU/JP/EN name orders and initials, employer as free text, a
//!   merged header cell (so one header cell is empty), empty and junk rows.

use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};
use std::fs;
use std::path::{Path, PathBuf};

#[path = "common/mod.rs"]
mod common;
use common::*;

/// CP932: encoding_rs SHIFT_JIS is WHATWG Shift_JIS, which is CP932 in practice.
fn encode_cp932(text: &str) -> Vec<u8> {
    encode(text, encoding_rs::SHIFT_JIS)
}

// ───────────────────────────── identifiers with real checksums ─────────────────────────────

// ───────────────────────────── writers ─────────────────────────────

/// A cell as users leave it: text, a number (Excel swallowed an identifier), or empty.
#[derive(Clone)]
enum Cell {
    S(String),
    N(f64),
    E,
}

fn s(v: &str) -> Cell {
    if v.is_empty() {
        Cell::E
    } else {
        Cell::S(v.to_string())
    }
}

fn put(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::S(v) => {
            ws.write_string(row, col, v)?;
        }
        Cell::N(v) => {
            ws.write_number(row, col, *v)?;
        }
        Cell::E => {}
    }
    Ok(())
}

// ───────────────────────────── 1C counterparties ─────────────────────────────

struct Ru {
    name: &'static str,
    full: &'static str,
    kind: &'static str,
    inn: Cell,
    kpp: &'static str,
    code: Cell,
    phone: &'static str,
    email: &'static str,
    address: &'static str,
    contact: &'static str,
    comment: &'static str,
}

fn ru_rows() -> Vec<Ru> {
    const UL: &str = "Юридическое лицо";
    const FL: &str = "Физическое лицо";
    const IP: &str = "Индивидуальный предприниматель";
    let romashka = inn10("772401234");
    let vector = inn10("784205678");
    let sever = inn10("770912345");
    let ufa = inn10("027400123"); // region 02: Excel drops the leading zero
    let ulan = inn10("032600456"); // region 03
    let nsk = inn10("540601234");
    let ekb = inn10("667101234");
    let kzn = inn10("165502345");
    let num = |v: &str| Cell::N(v.parse::<f64>().unwrap());
    let code = |n: u32| Cell::S(format!("00-{n:06}"));
    vec![
        Ru {
            name: "Покупатели",
            full: "",
            kind: "",
            inn: Cell::E,
            kpp: "",
            code: Cell::E,
            phone: "",
            email: "",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Ромашка\"",
            full: "Общество с ограниченной ответственностью \"Ромашка\"",
            kind: UL,
            inn: s(&romashka),
            kpp: "772401001",
            code: code(1),
            phone: "8 (495) 123-45-67",
            email: "info@romashka.ru",
            address: "115054, г. Москва, ул. Дубининская, д. 57, стр. 1",
            contact: "Иванов Иван Иванович",
            comment: "",
        },
        Ru {
            name: "Ромашка ООО",
            full: "ООО «Ромашка»",
            kind: UL,
            inn: num(&romashka),
            kpp: "772401001",
            code: code(2),
            phone: "+7 495 1234567",
            email: "zakaz@romashka.ru",
            address: "Москва, Дубининская 57",
            contact: "",
            comment: "дубль? завели при смене менеджера",
        },
        Ru {
            name: "АО «Вектор»",
            full: "Акционерное общество «Вектор»",
            kind: UL,
            inn: s(&vector),
            kpp: "784201001",
            code: code(3),
            phone: "+7 812 1234567 доб. 12",
            email: "office@vector-spb.ru; buh@vector-spb.ru",
            address: "190000, Санкт-Петербург, Невский пр-т, 28",
            contact: "Петрова А.С.",
            comment: "",
        },
        Ru {
            name: "ПАО \"Северный ветер\"",
            full: "Публичное акционерное общество \"Северный ветер\"",
            kind: UL,
            inn: num(&sever),
            kpp: "770901001",
            code: code(4),
            phone: "84951234567; 8-916-123-45-67",
            email: "sever.veter@mail.ru",
            address: "г Москва, ул Земляной Вал, д 9",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ИП Иванов Иван Иванович",
            full: "Индивидуальный предприниматель Иванов Иван Иванович",
            kind: IP,
            inn: s(&inn12("5001234567")),
            kpp: "",
            code: code(5),
            phone: "8-903-765-43-21",
            email: "ivanov.ip@yandex.ru",
            address: "Московская обл., г. Химки, ул. Ленина, 1",
            contact: "",
            comment: "",
        },
        Ru {
            name: "Петрова Анна Сергеевна ИП",
            full: "ИП Петрова А. С.",
            kind: IP,
            inn: num(&inn12("7801234567")),
            kpp: "",
            code: code(6),
            phone: "+79217654321",
            email: "petrova_as@bk.ru",
            address: "СПб, ул. Садовая, 10-5",
            contact: "",
            comment: "",
        },
        Ru {
            name: "Сидоров Пётр Алексеевич",
            full: "Сидоров Пётр Алексеевич",
            kind: FL,
            inn: Cell::E,
            kpp: "",
            code: code(7),
            phone: "8 916 555 12 34",
            email: "sidorov.p@gmail.com",
            address: "",
            contact: "",
            comment: "частное лицо, самовывоз",
        },
        Ru {
            name: "ООО \"Уфа-Строй\"",
            full: "Общество с ограниченной ответственностью \"Уфа-Строй\"",
            kind: UL,
            inn: num(&ufa),
            kpp: "027401001",
            code: code(8),
            phone: "8 (347) 246-10-10",
            email: "ufastroy@mail.ru",
            address: "450077, Республика Башкортостан, г. Уфа, ул. Ленина, д. 5",
            contact: "Гарипов Р.Р.",
            comment: "ИНН из Excel без ведущего нуля",
        },
        Ru {
            name: "Байкал-Сервис АО",
            full: "Акционерное общество «Байкал-Сервис»",
            kind: UL,
            inn: num(&ulan),
            kpp: "032601001",
            code: code(9),
            phone: "+7 (3012) 21-22-23",
            email: "info@baikal-service.ru",
            address: "670000, Улан-Удэ, ул. Ленина, 21",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ТД \"Альфа\" ООО",
            full: "ООО Торговый дом \"Альфа\"",
            kind: UL,
            inn: s(&break_check(&inn10("770301234"))),
            kpp: "770301001",
            code: code(10),
            phone: "123-45-67",
            email: "alfa-td@list.ru",
            address: "Москва",
            contact: "",
            comment: "ИНН с ошибкой (контрольная сумма)",
        },
        Ru {
            name: "Общество с ограниченной ответственностью \"Лютик\"",
            full: "",
            kind: UL,
            inn: s(&inn10("500701234")),
            kpp: "500701001",
            code: code(11),
            phone: "8(496)222-33-44",
            email: "info@lutik.ru",
            address: "Московская область, г. Дмитров",
            contact: "",
            comment: "",
        },
        Ru {
            name: "",
            full: "ООО \"Без имени\"",
            kind: UL,
            inn: s(&inn10("771501234")),
            kpp: "771501001",
            code: code(12),
            phone: "",
            email: "",
            address: "",
            contact: "",
            comment: "строка без наименования",
        },
        Ru {
            name: "ООО «ТехноСфера»",
            full: "ООО «ТехноСфера»",
            kind: UL,
            inn: s(&nsk),
            kpp: "540601001",
            code: code(13),
            phone: "8 (383) 2-123-456",
            email: "sales@technosfera.ru",
            address: "630099, Новосибирск, Красный пр., 1",
            contact: "Кузнецов Алексей Викторович",
            comment: "",
        },
        Ru {
            name: "ЗАО Прогресс",
            full: "Закрытое акционерное общество \"Прогресс\"",
            kind: UL,
            inn: s(&ekb),
            kpp: "667101001",
            code: code(14),
            phone: "+7 (343) 222-33-44 (бухгалтерия)",
            email: "progress-ekb@yandex.ru",
            address: "Екатеринбург, ул. Малышева, 51",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"КАЗАНЬ-ОПТ\"",
            full: "Общество с ограниченной ответственностью \"Казань-Опт\"",
            kind: UL,
            inn: s(&kzn),
            kpp: "165501001",
            code: code(15),
            phone: "8-843-200-00-01, доб. 305",
            email: "opt@kazan-opt.ru",
            address: "420000, г. Казань",
            contact: "",
            comment: "",
        },
        Ru {
            name: "Поставщики",
            full: "",
            kind: "",
            inn: Cell::E,
            kpp: "",
            code: Cell::E,
            phone: "",
            email: "",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Северный ветер\"",
            full: "ООО \"Северный ветер\"",
            kind: UL,
            inn: s(&inn10("290112345")),
            kpp: "290101001",
            code: code(16),
            phone: "8 (8182) 65-43-21",
            email: "sv@arh-veter.ru",
            address: "Архангельск, наб. Северной Двины, 30",
            contact: "",
            comment: "другая компания, то же название",
        },
        Ru {
            name: "АО \"Вектор\"",
            full: "",
            kind: UL,
            inn: s(&vector),
            kpp: "784201001",
            code: code(17),
            phone: "+7(812)123-45-67",
            email: "info@vector-spb.ru",
            address: "Санкт-Петербург, Невский проспект, д.28",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО Транслогистик",
            full: "ООО «ТрансЛогистик»",
            kind: UL,
            inn: s(&inn10("773001234")),
            kpp: "773001001",
            code: code(18),
            phone: "8 800 555-35-35",
            email: "info@translog.ru",
            address: "Москва, Варшавское ш., 1",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Мир Окон\"",
            full: "",
            kind: UL,
            inn: s(&inn10("631501234")),
            kpp: "631501001",
            code: code(19),
            phone: "88462001020",
            email: "mirokon63@mail.ru",
            address: "Самара",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ИП Смирнова О.В.",
            full: "",
            kind: IP,
            inn: s(&inn12("6312345678")),
            kpp: "",
            code: code(20),
            phone: "+7 927 000 11 22",
            email: "olga.smirnova@yandex.ru",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО «Ромашка-Юг»",
            full: "Общество с ограниченной ответственностью «Ромашка-Юг»",
            kind: UL,
            inn: s(&inn10("230801234")),
            kpp: "230801001",
            code: code(21),
            phone: "8 (861) 255-55-55",
            email: "info@romashka-yug.ru",
            address: "Краснодар, ул. Красная, 100",
            contact: "",
            comment: "не путать с Ромашкой (Москва)",
        },
        Ru {
            name: "ПАО Энергосбыт",
            full: "",
            kind: UL,
            inn: s(&inn10("772501234")),
            kpp: "997350001",
            code: code(22),
            phone: "8 495 981-81-81",
            email: "",
            address: "Москва",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО ЛУЧ",
            full: "",
            kind: UL,
            inn: s(&inn10("781001234")),
            kpp: "781001001",
            code: num("23"),
            phone: "(812)3334455",
            email: "luch@luch-spb.ru",
            address: "СПб",
            contact: "",
            comment: "код без ведущих нулей",
        },
        Ru {
            name: "Кузнецова Мария",
            full: "",
            kind: FL,
            inn: Cell::E,
            kpp: "",
            code: code(24),
            phone: "89031112233",
            email: "m.kuznetsova@mail.ru",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Ромашка\"",
            full: "",
            kind: UL,
            inn: Cell::E,
            kpp: "",
            code: code(25),
            phone: "495 123 45 67",
            email: "INFO@ROMASHKA.RU ",
            address: "",
            contact: "",
            comment: "третья карточка Ромашки, без ИНН",
        },
        Ru {
            name: "АО ГОРИЗОНТ",
            full: "Акционерное общество \"Горизонт\"",
            kind: UL,
            inn: s(&inn10("526001234")),
            kpp: "526001001",
            code: code(26),
            phone: "+7 831 411-22-33",
            email: "office@gorizont-nn.ru",
            address: "Нижний Новгород",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Альфа\"",
            full: "",
            kind: UL,
            inn: s(&inn10("770401234")),
            kpp: "770401001",
            code: code(27),
            phone: "8(495)700-00-00",
            email: "info@alfa-msk.ru",
            address: "Москва",
            contact: "",
            comment: "",
        },
        Ru {
            name: "Федоров Ф.Ф.",
            full: "",
            kind: FL,
            inn: s(&inn12("7701234567")),
            kpp: "",
            code: code(28),
            phone: "8 925 123 4567",
            email: "fedorov1980@rambler.ru",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО Стройматериалы",
            full: "ООО \"Стройматериалы\"",
            kind: UL,
            inn: s(&inn10("366401234")),
            kpp: "366401001",
            code: code(29),
            phone: "8 (473) 239-00-00; факс 239-00-01",
            email: "stroy36@mail.ru",
            address: "Воронеж",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Ёлка\"",
            full: "ООО «Елка»",
            kind: UL,
            inn: s(&inn10("744801234")),
            kpp: "744801001",
            code: code(30),
            phone: "+7 351 700 10 10",
            email: "elka@elka74.ru",
            address: "Челябинск",
            contact: "Ёлкин Фёдор",
            comment: "",
        },
        Ru {
            name: "Acme Widgets Inc.",
            full: "Acme Widgets, Inc.",
            kind: "Юридическое лицо (нерезидент)",
            inn: Cell::E,
            kpp: "",
            code: code(31),
            phone: "+1 (312) 555-0199",
            email: "orders@acmewidgets.com",
            address: "Chicago, IL, USA",
            contact: "John Smith",
            comment: "иностранный покупатель",
        },
        Ru {
            name: "Ямада Сёдзи",
            full: "Yamada Shoji Co., Ltd.",
            kind: "Юридическое лицо (нерезидент)",
            inn: Cell::E,
            kpp: "",
            code: code(32),
            phone: "+81 3-1234-5678",
            email: "info@yamada-shoji.co.jp",
            address: "Токио, Япония",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО \"Пример\"",
            full: "",
            kind: UL,
            inn: s(&inn10("100101234")),
            kpp: "100101001",
            code: code(33),
            phone: "8 (8142) 76-00-00",
            email: "primer@karelia.ru",
            address: "Петрозаводск",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО Гамма",
            full: "",
            kind: UL,
            inn: num(&inn10("010501234")),
            kpp: "010501001",
            code: code(34),
            phone: "8 8772 52-00-00",
            email: "gamma01@mail.ru",
            address: "Майкоп",
            contact: "",
            comment: "регион 01",
        },
        Ru {
            name: "ООО \"Дельта\"",
            full: "",
            kind: UL,
            inn: s(&inn10("770501234")),
            kpp: "770501001",
            code: code(35),
            phone: "+7-495-777-1-777",
            email: "delta@delta.ru",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ИП Орлова Е.",
            full: "",
            kind: IP,
            inn: s(&inn12("5402123456")),
            kpp: "",
            code: code(36),
            phone: "8-913-000-00-00",
            email: "orlova.e@inbox.ru",
            address: "",
            contact: "",
            comment: "",
        },
        Ru {
            name: "ООО «Омега Плюс»",
            full: "Общество с ограниченной ответственностью «Омега Плюс»",
            kind: UL,
            inn: s(&inn10("772701234")),
            kpp: "772701001",
            code: code(37),
            phone: "8 (499) 555-44-33 доб. 201, 202",
            email: "info@omegaplus.ru",
            address: "Москва",
            contact: "",
            comment: "",
        },
        Ru {
            name: "АО \"Вектор\" (СПб)",
            full: "",
            kind: UL,
            inn: Cell::E,
            kpp: "",
            code: code(38),
            phone: "",
            email: "vector-spb@yandex.ru",
            address: "",
            contact: "",
            comment: "старая карточка",
        },
    ]
}

fn make_1c(path: &Path) -> Result<(), XlsxError> {
    let mut wb = workbook("golive demo");
    let ws = wb.add_worksheet();
    ws.set_name("TDSheet")?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(
        0,
        0,
        "Контрагенты",
        &Format::new().set_bold().set_font_size(14),
    )?;
    ws.write_string(1, 0, "Дата формирования: 15.03.2024 9:00:00")?;
    // row 2 left empty
    let headers = [
        "Наименование",
        "Полное наименование",
        "Вид контрагента",
        "ИНН",
        "КПП",
        "Код",
        "Телефон",
        "E-mail",
        "Адрес",
        "Основное контактное лицо",
        "Комментарий",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    for (i, r) in ru_rows().iter().enumerate() {
        let row = 4 + i as u32;
        let cells = [
            s(r.name),
            s(r.full),
            s(r.kind),
            r.inn.clone(),
            s(r.kpp),
            r.code.clone(),
            s(r.phone),
            s(r.email),
            s(r.address),
            s(r.contact),
            s(r.comment),
        ];
        for (c, cell) in cells.iter().enumerate() {
            put(ws, row, c as u16, cell)?;
        }
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 50)?;
    wb.save(path)
}

// ───────────────────────────── freee 取引先 (CP932) ─────────────────────────────

struct Jp {
    name: &'static str,
    code: &'static str,
    full: &'static str,
    kana: &'static str,
    kind: &'static str,
    zip: &'static str,
    pref: &'static str,
    city: &'static str,
    bldg: &'static str,
    phone: &'static str,
    contact: &'static str,
    email: &'static str,
    tnum: String,
}

fn jp_rows() -> Vec<Jp> {
    let t = |base: &str| format!("T{}", houjin(base));
    let yamada = t("010401012345");
    let tokyo = t("011001023456");
    let sakura1 = t("012001034567");
    let sakura2 = t("120001045678");
    let takahashi = t("011101056789");
    let osaka = t("120001067890");
    let nagoya = t("180001078901");
    let fuji = t("010001089012");
    let hokkai = t("430001090123");
    let midori = t("040001001234");
    let kobe = t("140001012340");
    let jp =
        |name, code, full, kana, kind, zip, pref, city, bldg, phone, contact, email, tnum: &str| {
            Jp {
                name,
                code,
                full,
                kana,
                kind,
                zip,
                pref,
                city,
                bldg,
                phone,
                contact,
                email,
                tnum: tnum.to_string(),
            }
        };
    vec![
        jp(
            "山田商事",
            "C001",
            "山田商事株式会社",
            "ヤマダショウジ",
            "法人",
            "103-0027",
            "東京都",
            "中央区日本橋1-2-3",
            "山田ビル5F",
            "03-1234-5678",
            "山田 太郎",
            "info@yamada-shoji.co.jp",
            &yamada,
        ),
        jp(
            "山田商事(株)",
            "C002",
            "山田商事（株）",
            "ﾔﾏﾀﾞｼｮｳｼﾞ",
            "法人",
            "1030027",
            "東京都",
            "中央区日本橋１－２－３",
            "",
            "０３－１２３４－５６７８",
            "",
            "yamada@yamada-shoji.co.jp",
            "",
        ),
        jp(
            "ヤマダ商事",
            "C003",
            "山田商事 株式会社",
            "ヤマダショウジ カブシキガイシャ",
            "法人",
            "",
            "東京都",
            "中央区日本橋1丁目2番3号",
            "",
            "03(1234)5678 内線12",
            "経理部 鈴木",
            "",
            &yamada,
        ),
        jp(
            "東京テクノ",
            "C004",
            "株式会社東京テクノ",
            "トウキョウテクノ",
            "法人",
            "105-0011",
            "東京都",
            "港区芝公園4-2-8",
            "",
            "03-5555-0101",
            "",
            "sales@tokyo-techno.jp",
            &tokyo,
        ),
        jp(
            "㈱東京テクノ",
            "C005",
            "㈱東京テクノ",
            "ﾄｳｷｮｳﾃｸﾉ",
            "法人",
            "105-0011",
            "東京都",
            "港区芝公園４－２－８",
            "",
            "03ー5555ー0101",
            "",
            "",
            "",
        ),
        jp(
            "サクラ(株)",
            "C006",
            "サクラ株式会社",
            "サクラ",
            "法人",
            "530-0001",
            "大阪府",
            "大阪市北区梅田1-1-1",
            "",
            "06-6123-4567",
            "",
            "info@sakura-kk.jp",
            &sakura1,
        ),
        jp(
            "(株)サクラ",
            "C007",
            "株式会社サクラ",
            "サクラ",
            "法人",
            "460-0008",
            "愛知県",
            "名古屋市中区栄3-3-3",
            "",
            "052-123-4567",
            "",
            "contact@k-sakura.co.jp",
            &sakura2,
        ),
        jp(
            "髙橋工業",
            "C008",
            "髙橋工業株式会社",
            "タカハシコウギョウ",
            "法人",
            "231-0023",
            "神奈川県",
            "横浜市中区山下町1",
            "",
            "045−123−4567",
            "髙橋 健",
            "takahashi@takahashi-kogyo.jp",
            &takahashi,
        ),
        jp(
            "大阪物産",
            "C009",
            "大阪物産株式会社",
            "オオサカブッサン",
            "法人",
            "541-0041",
            "大阪府",
            "大阪市中央区北浜2-2-2",
            "北浜ビル",
            "06-6201-0000",
            "",
            "",
            &osaka,
        ),
        jp(
            "名古屋精機",
            "C010",
            "有限会社名古屋精機",
            "ナゴヤセイキ",
            "法人",
            "450-0002",
            "愛知県",
            "名古屋市中村区名駅1-1-4",
            "",
            "052(551)0000",
            "",
            "nagoya-seiki@example.jp",
            &nagoya,
        ),
        jp(
            "富士ソリューションズ",
            "C011",
            "富士ソリューションズ合同会社",
            "フジソリューションズ",
            "法人",
            "100-0005",
            "東京都",
            "千代田区丸の内1-1-1",
            "",
            "+81 3 6000 0000",
            "",
            "hello@fuji-solutions.jp",
            &fuji,
        ),
        jp(
            "北海フーズ",
            "C012",
            "株式会社北海フーズ",
            "ホッカイフーズ",
            "法人",
            "060-0001",
            "北海道",
            "札幌市中央区北1条西2丁目",
            "",
            "011-222-3333",
            "",
            "order@hokkai-foods.jp",
            &hokkai,
        ),
        jp(
            "みどり会",
            "C013",
            "一般社団法人みどり会",
            "ミドリカイ",
            "法人",
            "980-0811",
            "宮城県",
            "仙台市青葉区一番町1-1",
            "",
            "022-211-0000",
            "",
            "",
            &midori,
        ),
        jp(
            "佐藤 花子",
            "C014",
            "佐藤 花子",
            "サトウ ハナコ",
            "個人",
            "150-0001",
            "東京都",
            "渋谷区神宮前1-1-1",
            "",
            "090-1234-5678",
            "",
            "hanako.sato@gmail.com",
            "",
        ),
        jp(
            "鈴木デザイン事務所",
            "C015",
            "鈴木デザイン事務所",
            "スズキデザインジムショ",
            "個人",
            "",
            "東京都",
            "世田谷区",
            "",
            "080-9876-5432",
            "",
            "suzuki.design@yahoo.co.jp",
            &t("123456789012"),
        ),
        jp(
            "神戸貿易",
            "C016",
            "神戸貿易株式会社",
            "コウベボウエキ",
            "法人",
            "650-0001",
            "兵庫県",
            "神戸市中央区加納町6-5-1",
            "",
            "078-333-0000",
            "",
            "info@kobe-boueki.jp",
            &kobe,
        ),
        jp(
            "神戸貿易",
            "C017",
            "神戸貿易 株式会社",
            "",
            "法人",
            "",
            "",
            "",
            "",
            "078(333)0000",
            "",
            "",
            "",
        ),
        jp(
            "アクメ・ジャパン",
            "C018",
            "アクメ・ジャパン株式会社",
            "アクメジャパン",
            "法人",
            "107-0052",
            "東京都",
            "港区赤坂1-1-1",
            "",
            "0120-123-456",
            "",
            "japan@acmewidgets.com",
            "",
        ),
        jp(
            "ロマシカ",
            "C019",
            "Romashka LLC",
            "ロマシカ",
            "法人",
            "",
            "",
            "",
            "",
            "+7 495 123-45-67",
            "",
            "info@romashka.ru",
            "",
        ),
        jp("テスト", "C020", "", "", "", "", "", "", "", "", "", "", ""),
        jp(
            "京都老舗",
            "C021",
            "株式会社京都老舗",
            "キョウトシニセ",
            "法人",
            "604-8005",
            "京都府",
            "京都市中京区河原町通三条上る",
            "",
            "075-211-1111 内線 3",
            "",
            "",
            "",
        ),
        jp(
            "九州ロジ",
            "C022",
            "九州ロジスティクス株式会社",
            "キュウシュウロジスティクス",
            "法人",
            "812-0011",
            "福岡県",
            "福岡市博多区博多駅前1-1-1",
            "",
            "092-111-2222、092-111-2223",
            "",
            "logi@kyushu-logi.jp",
            "",
        ),
        jp(
            "オフィス山本",
            "C023",
            "山本 一郎",
            "ヤマモト イチロウ",
            "個人",
            "",
            "埼玉県",
            "さいたま市",
            "",
            "048-000-1111",
            "",
            "yamamoto.office@nifty.com",
            "",
        ),
        jp(
            "ミヤコ電機",
            "C024",
            "㈲ミヤコ電機",
            "ミヤコデンキ",
            "法人",
            "",
            "",
            "",
            "",
            "03-3333-4444",
            "",
            "",
            "",
        ),
        jp(
            "ＡＢＣトレーディング",
            "C025",
            "ＡＢＣトレーディング株式会社",
            "エービーシートレーディング",
            "法人",
            "101-0021",
            "東京都",
            "千代田区外神田1-1",
            "",
            "03-3251-0000",
            "",
            "abc@abc-trading.co.jp",
            "",
        ),
    ]
}

fn make_freee(path: &Path) {
    let mut out = String::new();
    out.push_str(&csv_line(&FREEE_HEADER, ','));
    out.push_str("\r\n");
    for r in jp_rows() {
        let mut f = vec![""; FREEE_HEADER.len()];
        f[0] = r.name;
        f[1] = r.code;
        f[4] = r.full;
        f[5] = r.kana;
        f[6] = if r.kind == "個人" { "様" } else { "御中" };
        f[7] = r.kind;
        f[8] = "国内";
        f[9] = r.zip;
        f[10] = r.pref;
        f[11] = r.city;
        f[12] = r.bldg;
        f[13] = r.phone;
        f[14] = r.contact;
        f[15] = r.email;
        f[16] = "メール";
        f[36] = if r.tnum.is_empty() {
            "該当しない"
        } else {
            "該当する"
        };
        f[37] = &r.tnum;
        f[40] = "利用する";
        if r.name == "テスト" {
            f = vec![""; FREEE_HEADER.len()];
            f[0] = r.name;
            f[1] = r.code;
        }
        out.push_str(&csv_line(&f, ','));
        out.push_str("\r\n");
    }
    fs::write(path, encode_cp932(&out)).unwrap();
}

// ───────────────────────────── QuickBooks customers ─────────────────────────────

fn make_quickbooks(path: &Path) {
    let header = [
        "Customer",
        "Company",
        "Street Address",
        "City",
        "State",
        "Country",
        "Zip",
        "Phone",
        "Email",
        "Attachments",
        "Open Balance",
        "Notes",
    ];
    #[rustfmt::skip]
    let rows: Vec<[&str; 12]> = vec![
        ["ACME WIDGETS, INC.", "ACME WIDGETS, INC.", "100 N Riverside Plaza", "Chicago", "IL", "USA", "60606", "(312) 555-0199", "orders@acmewidgets.com", "", "1,234.56", ""],
        ["Acme Widgets Inc", "Acme Widgets Inc", "100 North Riverside Plz", "Chicago", "Illinois", "United States", "60606-1234", "312-555-0199", "ap@acmewidgets.com", "", "0.00", "Duplicate of ACME WIDGETS, INC.?"],
        ["Acme Widgets Inc:Chicago Office", "Acme Widgets Inc", "100 N Riverside Plaza", "Chicago", "IL", "USA", "60606", "312.555.0142", "chicago@acmewidgets.com", "", "250.00", "sub-customer (job)"],
        ["Globex Corporation", "Globex Corporation", "1 Globex Way", "Springfield", "OR", "USA", "97477", "+1 541 555 0100", "billing@globex.com", "", "0.00", ""],
        ["Globex Corp.", "Globex Corp", "1 Globex Way", "Springfield", "OR", "US", "97477", "541-555-0100 x200", "info@globex.com", "", "89.10", ""],
        ["Initech LLC", "Initech, LLC", "4120 Freidrich Ln", "Austin", "TX", "USA", "78744", "(512) 555-0143", "tps@initech.com", "", "0.00", "Net 30\nCall before delivery"],
        ["Smith, John", "", "742 Evergreen Terrace", "Springfield", "IL", "USA", "62704", "555-0123", "john.smith@gmail.com", "", "15.00", "individual customer, no company"],
        ["O'Brien & Sons Ltd", "O'Brien & Sons Ltd", "12 Harbour St", "Boston", "MA", "USA", "02110", "(617) 555-0177", "obrien@obriensons.com", "", "0.00", ""],
        ["Umbrella Corp", "Umbrella Corporation", "545 S Raccoon Blvd", "Raccoon City", "MO", "USA", "65001", "1-573-555-0160", "", "", "3,000.00", ""],
        ["Stark Industries", "Stark Industries, Inc.", "10880 Malibu Point", "Malibu", "CA", "USA", "90265", "(310) 555-0110 ext. 44", "pepper@starkindustries.com", "1", "0.00", ""],
        ["Wayne Enterprises", "Wayne Enterprises, Inc.", "1007 Mountain Drive", "Gotham", "NJ", "USA", "07001", "(201) 555-0101", "lucius@wayne-ent.com", "", "0.00", ""],
        ["Yamada Shoji Co., Ltd.", "Yamada Shoji Co., Ltd.", "1-2-3 Nihonbashi, Chuo-ku", "Tokyo", "", "Japan", "103-0027", "+81 3-1234-5678", "info@yamada-shoji.co.jp", "", "0.00", "JP customer"],
        ["Romashka LLC", "OOO Romashka", "57 Dubininskaya St", "Moscow", "", "Russia", "115054", "+7 (495) 123-45-67", "info@romashka.ru", "", "0.00", ""],
        ["Hooli", "Hooli XYZ", "1 Hooli Way", "Palo Alto", "CA", "USA", "94301", "650 555 0100", "gavin@hooli.xyz", "", "0.00", ""],
        ["Pied Piper Inc.", "Pied Piper, Inc.", "5230 Newell Rd", "Palo Alto", "CA", "USA", "94303", "(650) 555-0122", "richard@piedpiper.com; jared@piedpiper.com", "", "500.00", ""],
        ["Vandelay Industries", "Vandelay Industries", "129 W 81st St", "New York", "NY", "USA", "10024", "212 555 0187", "art@vandelay.com", "", "0.00", ""],
        ["Dunder Mifflin", "Dunder Mifflin Paper Company, Inc.", "1725 Slough Ave", "Scranton", "PA", "USA", "18505", "(570) 555-0150", "sales@dundermifflin.com", "", "0.00", ""],
        ["Dunder-Mifflin Inc", "Dunder Mifflin Inc.", "1725 Slough Avenue", "Scranton", "PA", "USA", "18505", "570.555.0150", "", "", "42.00", "old record"],
        ["Cyberdyne Systems", "Cyberdyne Systems Corp.", "18144 El Camino Real", "Sunnyvale", "CA", "USA", "94087", "(408) 555-0199", "info@cyberdyne.com", "", "0.00", ""],
        ["Soylent Corp", "Soylent Corporation", "", "New York", "NY", "USA", "", "+1 (212) 555-0177", "", "", "0.00", ""],
        ["Massive Dynamic", "Massive Dynamic, Inc.", "1 Massive Plaza", "New York", "NY", "USA", "10001", "(800) 555-0100", "contact@massivedynamic.com", "", "0.00", ""],
        ["Tyrell Corp", "Tyrell Corporation", "2019 Pyramid Rd", "Los Angeles", "CA", "USA", "90001", "(213) 555-0119", "eldon@tyrell.com", "", "0.00", ""],
        ["Jane Doe", "", "", "Denver", "CO", "USA", "80202", "303-555-0133", "jane.doe@yahoo.com", "", "0.00", ""],
    ];
    let mut out = String::new();
    out.push_str(&csv_line(&header, ','));
    out.push_str("\r\n");
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&csv_line(r, ','));
        out.push_str("\r\n");
        if i == 10 {
            // Ragged row: an address with an unquoted comma gives 13 fields instead of 12.
            out.push_str("Wayne Enterprises Inc.,Wayne Enterprises Inc,1007 Mountain Dr, Suite 5,Gotham,NJ,USA,07001,201-555-0101,,,0.00,\r\n");
        }
    }
    fs::write(path, out).unwrap();
}

// ───────────────────────────── contacts.xlsx ─────────────────────────────

fn make_contacts(path: &Path) -> Result<(), XlsxError> {
    let mut wb = workbook("golive demo");
    let ws = wb.add_worksheet();
    ws.set_name("Контакты")?;
    let bold = Format::new().set_bold().set_align(FormatAlign::Center);
    // Header: «Телефон» is merged over two columns (work, mobile), so column E has no caption.
    ws.write_string_with_format(0, 0, "ФИО", &bold)?;
    ws.write_string_with_format(0, 1, "Компания", &bold)?;
    ws.write_string_with_format(0, 2, "Должность", &bold)?;
    ws.merge_range(0, 3, 0, 4, "Телефон", &bold)?;
    ws.write_string_with_format(0, 5, "E-mail", &bold)?;
    ws.write_string_with_format(0, 6, "Примечание", &bold)?;
    #[rustfmt::skip]
    let rows: Vec<[&str; 7]> = vec![
        ["Иванов Иван Иванович", "ООО Ромашка", "Генеральный директор", "8 (495) 123-45-67", "8-916-111-22-33", "i.ivanov@romashka.ru", ""],
        ["Петрова Анна Сергеевна", "«Ромашка»", "Главный бухгалтер", "+7 495 123-45-67 доб. 2", "", "buh@romashka.ru", ""],
        ["Сидоров П. А.", "romashka", "менеджер по закупкам", "", "+7 903 123 45 67", "sidorov@romashka.ru", ""],
        ["Анна Петрова", "АО Вектор", "бухгалтер", "+7 812 1234567", "", "a.petrova@vector-spb.ru", "однофамилица? другая компания"],
        ["ПЕТРОВА А.С.", "Вектор СПб", "", "(812) 123-45-67 доб. 12", "", "", ""],
        ["Кузнецов Алексей Викторович", "ТехноСфера", "коммерческий директор", "8 (383) 2-123-456", "8 913 222 33 44", "a.kuznetsov@technosfera.ru", ""],
        ["Алексей Кузнецов", "ООО \"ТехноСфера\"", "", "", "+79132223344", "kuznetsov.a@gmail.com", ""],
        ["Гарипов Р.Р.", "Уфа-Строй", "прораб", "8 347 246 10 10", "", "", ""],
        ["Ёлкин Фёдор", "ООО Ёлка", "директор", "", "89227001010", "f.elkin@elka74.ru", ""],
        ["Елкин Федор Петрович", "Елка", "", "+7 351 700 10 10", "", "", "тот же, что Ёлкин?"],
        ["Смирнова-Ковалёва Ольга Викторовна", "ИП Смирнова", "", "", "+7 927 000 11 22", "olga.smirnova@yandex.ru", ""],
        ["Михайлов Д.А.", "ООО \"Неизвестная компания\"", "инженер", "8 (495) 000-00-01", "", "d.mikhailov@neizvestnaya.ru", "нет в 1С"],
        ["Орлова Е.", "", "", "", "8-913-000-00-00", "", "ИП Орлова?"],
        ["Волков Сергей", "", "закупки", "", "", "s.volkov@omegaplus.ru", "компания только по домену почты"],
        ["Морозова Татьяна Игоревна", "ПАО Северный Ветер", "секретарь", "8 495 1234567", "", "sever.veter@mail.ru", "общий ящик на mail.ru"],
        ["山田 太郎", "山田商事", "代表取締役", "03-1234-5678", "090-1111-2222", "t.yamada@yamada-shoji.co.jp", ""],
        ["山田太郎", "山田商事株式会社", "", "+81 3 1234 5678", "", "", ""],
        ["Yamada Taro", "Yamada Shoji", "CEO", "+81-3-1234-5678", "", "taro@yamada-shoji.co.jp", ""],
        ["YAMADA Taro", "(株)山田商事", "", "", "+81 90 1111 2222", "", ""],
        ["佐藤 花子", "", "デザイナー", "", "090-1234-5678", "hanako.sato@gmail.com", "個人"],
        ["鈴木 一郎", "東京テクノ", "営業部 部長", "03-5555-0101", "", "suzuki@tokyo-techno.jp", ""],
        ["髙橋 健", "髙橋工業", "工場長", "045-123-4567", "", "takahashi@takahashi-kogyo.jp", ""],
        ["高橋健", "高橋工業株式会社", "", "", "080-3333-4444", "", "髙/高"],
        ["田中 美咲", "サクラ", "", "06-6123-4567", "", "tanaka@sakura-kk.jp", "大阪のサクラ株式会社"],
        ["Tanaka Misaki", "株式会社サクラ", "", "", "", "m.tanaka@k-sakura.co.jp", "名古屋の株式会社サクラ — 別会社"],
        ["John Smith", "Acme", "Purchasing Manager", "(312) 555-0199", "", "john.smith@acmewidgets.com", ""],
        ["Smith, John", "ACME Widgets", "", "312-555-0199 ext 12", "", "", ""],
        ["J. Smith", "Acme Widgets Inc.", "", "", "+1 312 555 0100", "jsmith@acmewidgets.com", ""],
        ["Mary-Jane O'Neil", "Globex", "CFO", "+1 541 555 0100", "", "mj.oneil@globex.com", ""],
        ["Dr. Emily Watson", "Initech", "", "(512) 555-0143", "", "e.watson@initech.com", ""],
        ["Bob (Robert) Brown", "Initech LLC", "", "", "512 555 0190", "bob.brown@gmail.com", ""],
        ["SARAH CONNOR", "Cyberdyne", "", "", "", "sarah.connor@cyberdyne.com", ""],
        ["Peter Parker Jr.", "Daily Bugle", "photographer", "(212) 555-0123", "", "peter@dailybugle.com", "unknown company"],
        ["", "", "", "", "", "", ""],
        ["Richard Hendricks", "", "CEO", "", "", "richard@piedpiper.com", "company only from e-mail domain"],
        ["тест", "тест", "", "", "", "test@test", "мусор"],
        ["", "Ромашка", "", "", "", "", "строка без имени"],
        ["Lucius Fox", "Wayne Enterprises", "CTO", "(201) 555-0101", "", "lucius@wayne-ent.com", ""],
        ["Иванов И.И.", "ООО \"Ромашка\"", "ген. директор", "", "+7 (916) 111-22-33", "", "дубль Иванова"],
        ["Dwight Schrute", "Dunder Mifflin", "Assistant to the Regional Manager", "570-555-0150", "", "dwight@dundermifflin.com", ""],
        ["Ким Юлия", "ООО ЛУЧ", "", "(812)3334455", "", "yulia.kim@luch-spb.ru", ""],
        ["Nguyen Van An", "Hooli", "", "", "", "an.nguyen@hooli.xyz", ""],
    ];
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            put(ws, 1 + i as u32, c as u16, &s(v))?;
        }
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 28)?;
    wb.save(path)
}

// ───────────────────────────── golive.toml ─────────────────────────────

const GOLIVE_TOML: &str = r#"# Demo migration: a 1C counterparty list (RU), a freee 取引先 CSV (JP, CP932), a QuickBooks
# Online customer export (US) and a contacts sheet whose companies are free text.
# Regenerate every file in this folder with `cargo run --example make_demo`.

[project]
name = "demo"
region = "RU"

[[source]]
name = "1c"
path = "sources/1c_kontragenty.xlsx"
profile = "1c-counterparties"
region = "RU"
# title block above the header: detection should find header_row = 4 on sheet "TDSheet"

[[source]]
name = "freee"
path = "sources/freee_torihikisaki.csv"
profile = "freee-partners"
region = "JP"
# encoding = "cp932"   (detected)

[[source]]
name = "qbo"
path = "sources/quickbooks_customers.csv"
profile = "quickbooks-customers"
region = "US"

[[source]]
name = "contacts"
path = "sources/contacts.xlsx"
profile = "generic-contacts-ru"
kind = "person"
"#;

fn main() {
    self_check();
    let out: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("samples/demo"));
    let src = out.join("sources");
    fs::create_dir_all(&src).unwrap();
    fs::write(out.join("golive.toml"), GOLIVE_TOML).unwrap();
    make_1c(&src.join("1c_kontragenty.xlsx")).unwrap();
    make_freee(&src.join("freee_torihikisaki.csv"));
    make_quickbooks(&src.join("quickbooks_customers.csv"));
    make_contacts(&src.join("contacts.xlsx")).unwrap();
    println!("wrote {}", out.display());
}

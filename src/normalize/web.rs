//! Websites → registrable domain; free-mail domains. (stub: to be implemented)

/// `https://www.shop.example.co.jp/about` → `example.co.jp`.
pub fn registrable_domain(input: &str) -> Option<String> {
    let _ = input;
    None
}

/// gmail.com, mail.ru, yandex.ru, yahoo.co.jp…: the domain does not identify a company.
pub fn is_free_mail_domain(domain: &str) -> bool {
    let _ = domain;
    false
}

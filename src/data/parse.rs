//! Parsers for single text cells: whole numbers, decimals, money, booleans
//! and dates in the formats a source's `dates` setting may name. Each takes
//! one non-blank cell and returns `None` when the text does not fit; the
//! column-level code in `clean` turns that into an error naming the row.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// A whole number: `42`, `-7`, `+3`, or a decimal with no fraction (`560085.0`).
pub fn parse_int(text: &str) -> Option<i64> {
    let s = text.trim();
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let f = s.parse::<f64>().ok()?;
    let in_range = f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15;
    in_range.then_some(f as i64)
}

/// A plain decimal number with a `.` decimal point: `12.5`, `-3`, `1e3`.
/// `NaN` and infinities are no numbers a report can compute with.
pub fn parse_float(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `NaN`, `inf`, `-Infinity` and the like: what tools write for a value
/// that is not a number, which Rust would otherwise read as a float.
pub fn is_not_a_number_text(text: &str) -> bool {
    let t = text.trim();
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    ["nan", "inf", "infinity"]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w))
}

/// True/False, yes/no, ya/tidak, 1/0 and t/f, y/n in any letter case.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "ya" | "1" => Some(true),
        "false" | "f" | "no" | "n" | "tidak" | "0" => Some(false),
        _ => None,
    }
}

/// Currency text as a number: `$5,320 ` → 5320, `Rp 1.234.567` → 1234567,
/// `1.234,56` → 1234.56, `1,234.56` → 1234.56, `-$12.50` → -12.5,
/// `(1,000)` → -1000. A currency symbol or code may precede or follow the
/// digits; spaces and apostrophes between digits group thousands. Other
/// words around the number (`around 300`, `300 approx`) are no amount.
pub fn parse_money(text: &str) -> Option<f64> {
    let mut s = text.trim();
    if is_plain_decimal(s) {
        return s.parse().ok();
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let first = s.find(|c: char| c.is_ascii_digit())?;
    let last = s.rfind(|c: char| c.is_ascii_digit())?;
    let (mut prefix, core) = (&s[..first], &s[first..=last]);
    if !is_currency_affix(&s[last + 1..], false) {
        return None;
    }
    let mut leading_point = "";
    if let Some(p) = prefix.strip_suffix(['.', ',']) {
        // `$.50` or `.5`: a decimal point; `Rp.1.000`: an abbreviation dot.
        if !p.ends_with(|c: char| c.is_alphabetic()) {
            leading_point = &prefix[p.len()..];
            prefix = p;
        }
    }
    if !is_currency_affix(prefix, true) {
        return None;
    }
    if prefix.chars().filter(|c| *c == '-').count() > 1
        || (prefix.contains('+') && prefix.contains('-'))
    {
        return None;
    }
    negative ^= prefix.contains('-');
    let digits: String = std::iter::once(leading_point)
        .chain(std::iter::once(core))
        .flat_map(str::chars)
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let value = normalise_separators(&digits)?.parse::<f64>().ok()?;
    Some(if negative { -value } else { value })
}

/// Text before (`signed`: signs allowed) or after the digits of an amount:
/// spaces and at most one currency, a symbol (`$`, `€`, `₹`), a code of up
/// to three capitals (`IDR`, `RM`, `US$`) or a local abbreviation (`Rp`,
/// `Rs.`, `kr`), optionally ending in an abbreviation dot.
fn is_currency_affix(text: &str, signed: bool) -> bool {
    let rest: String = text
        .chars()
        .filter(|c| !(c.is_whitespace() || (signed && matches!(c, '-' | '+'))))
        .collect();
    let rest = rest.strip_suffix('.').unwrap_or(&rest);
    let letters_end = rest
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(rest.len(), |(i, _)| i);
    let (letters, symbols) = rest.split_at(letters_end);
    let code = letters.is_empty()
        || (letters.len() <= 3 && letters.bytes().all(|b| b.is_ascii_uppercase()))
        || LOCAL_CURRENCIES
            .iter()
            .any(|l| letters.to_lowercase() == *l);
    code && symbols.chars().count() <= 1 && symbols.chars().all(is_currency_symbol)
}

/// Currency abbreviations that are not (all-capital) ISO codes.
const LOCAL_CURRENCIES: [&str; 8] = ["rp", "rs", "kr", "zł", "fr", "ft", "kč", "lei"];

/// A currency sign: `$`, `¢`, `£`, `¥`, `ƒ`, `৳`, `฿`, `﷼`, `元`, `円`, or
/// one of the Unicode block of currency symbols (`€`, `₹`, `₩`, `₱`, …).
fn is_currency_symbol(c: char) -> bool {
    matches!(
        c,
        '$' | '¢' | '£' | '¤' | '¥' | 'ƒ' | '৳' | '฿' | '﷼' | '元' | '円'
    ) || ('\u{20a0}'..='\u{20cf}').contains(&c)
}

/// `449`, `-12.50`: digits with at most one `.` that cannot be a
/// thousands separator (not followed by exactly three digits).
fn is_plain_decimal(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty() && all_digits(whole) && all_digits(fraction) && fraction.len() != 3
}

/// Turns digits with `.`/`,` separators into `1234.56` form, deciding which
/// separator is the decimal point; `None` when the grouping is inconsistent.
fn normalise_separators(s: &str) -> Option<String> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => return Some(s.to_owned()),
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            if dots + commas > 1 || is_thousands_group(s, sep) {
                return join_thousands(s, sep, None);
            }
            sep
        }
        _ => {
            let last_sep = s.rfind(['.', ','])?;
            if s[last_sep..].starts_with('.') {
                '.'
            } else {
                ','
            }
        }
    };
    let thousands = if decimal == '.' { ',' } else { '.' };
    if s.matches(decimal).count() > 1 {
        return None;
    }
    let (whole, fraction) = s.split_once(decimal)?;
    let whole = if whole.is_empty() {
        "0".to_owned()
    } else {
        join_thousands(whole, thousands, None)?
    };
    join_thousands(&whole, thousands, Some(fraction))
}

/// A single separator followed by exactly three digits after a non-zero
/// leading group (`5,320`, `1.234`) groups thousands; otherwise it is a
/// decimal point (`12,5`, `0.125`).
fn is_thousands_group(s: &str, sep: char) -> bool {
    match s.split_once(sep) {
        Some((before, after)) => after.len() == 3 && !before.is_empty() && before != "0",
        None => false,
    }
}

/// Removes thousands separators, checking that the last group has three
/// digits (Indian `1,23,456` grouping is accepted), and appends a fraction.
fn join_thousands(s: &str, sep: char, fraction: Option<&str>) -> Option<String> {
    let groups: Vec<&str> = s.split(sep).collect();
    if groups.len() > 1 {
        let last_ok = groups.last().is_some_and(|g| g.len() == 3);
        let inner_ok = groups[1..].iter().all(|g| g.len() == 2 || g.len() == 3);
        if !last_ok || !inner_ok || groups[0].is_empty() {
            return None;
        }
    }
    let mut out: String = groups.concat();
    if let Some(f) = fraction {
        if f.contains(['.', ',']) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// A date format from a source's `dates` setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// A chrono `strftime` pattern (the named formats map onto one).
    Pattern(String),
    /// ISO dates or timestamps with an optional `UTC`, `Z` or `+hh:mm`
    /// suffix; the date is taken in UTC.
    Iso,
}

/// Named formats accepted in `dates`, with their chrono patterns.
const NAMED_FORMATS: [(&str, &str); 9] = [
    ("MM-DD-YY", "%m-%d-%y"),
    ("MM-DD-YYYY", "%m-%d-%Y"),
    ("MM/DD/YY", "%m/%d/%y"),
    ("MM/DD/YYYY", "%m/%d/%Y"),
    ("DD-MON-YY", "%d-%b-%y"),
    ("DD-MON-YYYY", "%d-%b-%Y"),
    ("DD/MM/YYYY", "%d/%m/%Y"),
    ("DD-MM-YYYY", "%d-%m-%Y"),
    ("YYYY-MM-DD", "%Y-%m-%d"),
];

impl DateFormat {
    /// Reads a `dates` setting; the error text lists the accepted formats.
    pub fn from_setting(setting: &str) -> Result<DateFormat, String> {
        let trimmed = setting.trim();
        if trimmed.eq_ignore_ascii_case("iso") {
            return Ok(DateFormat::Iso);
        }
        let upper = trimmed.to_ascii_uppercase();
        if let Some((_, pattern)) = NAMED_FORMATS.iter().find(|(name, _)| *name == upper) {
            return Ok(DateFormat::Pattern((*pattern).to_owned()));
        }
        let valid_pattern = trimmed.contains('%')
            && StrftimeItems::new(trimmed).all(|item| !matches!(item, Item::Error));
        if valid_pattern {
            return Ok(DateFormat::Pattern(trimmed.to_owned()));
        }
        let names: Vec<&str> = NAMED_FORMATS.iter().map(|(n, _)| *n).collect();
        Err(format!(
            "use one of {}, `iso`, or a chrono pattern such as `%d.%m.%Y`",
            names.join(", ")
        ))
    }

    /// Parses one cell; timestamps keep only their (UTC) date.
    pub fn parse(&self, text: &str) -> Option<NaiveDate> {
        let s = text.trim();
        match self {
            DateFormat::Iso => parse_iso_date(s),
            DateFormat::Pattern(p) => NaiveDate::parse_from_str(s, p)
                .ok()
                .or_else(|| NaiveDateTime::parse_from_str(s, p).ok().map(|d| d.date()))
                .or_else(|| {
                    DateTime::parse_from_str(s, p)
                        .ok()
                        .map(|d| d.naive_utc().date())
                }),
        }
    }
}

/// `2022-03-01`, `2022-03-01 10:02:03 UTC`, `2022-03-01T10:02:03.5Z`,
/// `2022-03-01 10:02:03+07:00` (→ 2022-03-01 in UTC). Parsed by hand: a
/// million timestamps should take milliseconds.
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits_value(&b[..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits_value(&b[5..7])?, digits_value(&b[8..10])?)?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(date);
    }
    let body = rest.strip_prefix(['T', 't', ' '])?;
    let zone_at = body
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(body.len());
    let (time_text, zone) = body.split_at(zone_at);
    let seconds = parse_time_of_day(time_text)?;
    let offset = parse_utc_offset(zone.trim())?;
    date.and_time(NaiveTime::MIN)
        .checked_add_signed(TimeDelta::seconds(seconds - offset))
        .map(|utc| utc.date())
}

/// The value of a run of ASCII digits.
fn digits_value(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// Seconds since midnight of `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`.
fn parse_time_of_day(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    if fraction.is_empty() || !fraction.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let mut parts = whole.split(':');
    let hours = parts
        .next()
        .filter(|p| p.len() == 2)
        .and_then(|p| digits_value(p.as_bytes()))?;
    let minutes = parts
        .next()
        .filter(|p| p.len() == 2)
        .and_then(|p| digits_value(p.as_bytes()))?;
    let seconds = match parts.next() {
        Some(p) if p.len() == 2 => digits_value(p.as_bytes())?,
        Some(_) => return None,
        None => 0,
    };
    let valid = parts.next().is_none() && hours < 24 && minutes < 60 && seconds < 61;
    valid.then_some(i64::from(hours * 3600 + minutes * 60 + seconds))
}

/// Seconds east of UTC for `""`, `Z`, `UTC`, `GMT`, `+07:00`, `-0500`, `+07`.
fn parse_utc_offset(zone: &str) -> Option<i64> {
    if zone.is_empty()
        || ["z", "utc", "gmt"]
            .iter()
            .any(|z| zone.eq_ignore_ascii_case(z))
    {
        return Some(0);
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Ok(0), str::parse)
        .ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn money_handles_symbols_grouping_and_signs() {
        assert_eq!(parse_money("$5,320 "), Some(5320.0));
        assert_eq!(parse_money("Rp 1.234.567"), Some(1234567.0));
        assert_eq!(parse_money("1.234,56"), Some(1234.56));
        assert_eq!(parse_money("1,234.56"), Some(1234.56));
        assert_eq!(parse_money("-$12.50"), Some(-12.5));
        assert_eq!(parse_money("$-12.50"), Some(-12.5));
        assert_eq!(parse_money("(1,000)"), Some(-1000.0));
        assert_eq!(parse_money("Rp.1.500.000,00"), Some(1500000.0));
        assert_eq!(parse_money("12,5"), Some(12.5));
        assert_eq!(parse_money("0.125"), Some(0.125));
        assert_eq!(parse_money("$.50"), Some(0.5));
        assert_eq!(parse_money("₹1,23,456"), Some(123456.0));
        assert_eq!(parse_money("1 234,5 €"), Some(1234.5));
        assert_eq!(parse_money("449"), Some(449.0));
        assert_eq!(parse_money("449.00"), Some(449.0));
        assert_eq!(parse_money("1.234"), Some(1234.0));
        assert_eq!(parse_money("-0.5"), Some(-0.5));
    }

    #[test]
    fn money_rejects_text_and_bad_grouping() {
        assert_eq!(parse_money("abc"), None);
        assert_eq!(parse_money("1.2.3"), None);
        assert_eq!(parse_money("12a34"), None);
        assert_eq!(parse_money("1,234,56.7,8"), None);
    }

    #[test]
    fn money_accepts_currency_codes_but_not_words_around_the_number() {
        assert_eq!(parse_money("IDR 1.500"), Some(1500.0));
        assert_eq!(parse_money("1.500 IDR"), Some(1500.0));
        assert_eq!(parse_money("US$ 12.50"), Some(12.5));
        assert_eq!(parse_money("Rs. 1,200"), Some(1200.0));
        assert_eq!(parse_money("rp 5.000"), Some(5000.0));
        assert_eq!(parse_money("- Rp 5.000"), Some(-5000.0));
        assert_eq!(parse_money("RM12"), Some(12.0));
        assert_eq!(parse_money("kr 99"), Some(99.0));
        for words in [
            "around 300",
            "300 approx",
            "about $300",
            "$300 each",
            "Total: 300",
            "300 or 400",
            "ca. 300",
            "NaN",
            "300$$",
        ] {
            assert_eq!(parse_money(words), None, "{words}");
        }
    }

    #[test]
    fn not_a_number_is_no_float() {
        for t in ["NaN", "nan", "inf", "-inf", "+Infinity", "1e999"] {
            assert_eq!(parse_float(t), None, "{t}");
        }
        assert!(is_not_a_number_text(" NaN "));
        assert!(is_not_a_number_text("-Infinity"));
        assert!(!is_not_a_number_text("Nana"));
        assert!(!is_not_a_number_text("12"));
    }

    #[test]
    fn bools_in_english_and_indonesian() {
        for t in ["True", "true", "YES", "ya", "1", " y "] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["False", "false", "No", "TIDAK", "0"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("560085.0"), Some(560085));
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_float("-3.25"), Some(-3.25));
        assert_eq!(parse_float("1,5"), None);
    }

    #[test]
    fn named_date_formats() {
        let f = |s: &str| DateFormat::from_setting(s).unwrap();
        assert_eq!(f("MM-DD-YY").parse("04-30-22"), Some(ymd(2022, 4, 30)));
        assert_eq!(f("DD-Mon-YY").parse("04-Jan-22"), Some(ymd(2022, 1, 4)));
        assert_eq!(f("DD-Mon-YY").parse("04-jan-22"), Some(ymd(2022, 1, 4)));
        assert_eq!(f("dd/mm/yyyy").parse("31/01/2023"), Some(ymd(2023, 1, 31)));
        assert_eq!(f("YYYY-MM-DD").parse("2021-12-05"), Some(ymd(2021, 12, 5)));
        assert_eq!(f("%d.%m.%Y").parse("05.12.2021"), Some(ymd(2021, 12, 5)));
        assert_eq!(
            f("%Y-%m-%d %H:%M").parse("2021-12-05 23:10"),
            Some(ymd(2021, 12, 5))
        );
        assert_eq!(f("MM-DD-YY").parse("13-01-22"), None);
        assert!(DateFormat::from_setting("DD.MM").is_err());
    }

    #[test]
    fn iso_timestamps_with_utc_suffixes() {
        let iso = DateFormat::Iso;
        assert_eq!(iso.parse("2022-03-01"), Some(ymd(2022, 3, 1)));
        assert_eq!(iso.parse("2022-03-01 10:02:03 UTC"), Some(ymd(2022, 3, 1)));
        assert_eq!(
            iso.parse("2022-03-01T10:02:03.123456Z"),
            Some(ymd(2022, 3, 1))
        );
        assert_eq!(
            iso.parse("2022-03-01 10:02:03+00:00"),
            Some(ymd(2022, 3, 1))
        );
        // 05:00 at +07:00 is 22:00 the day before in UTC.
        assert_eq!(
            iso.parse("2022-03-01T05:00:00+07:00"),
            Some(ymd(2022, 2, 28))
        );
        assert_eq!(iso.parse("2022-03-01 10:02:03 WIB"), None);
        assert_eq!(iso.parse("01/03/2022"), None);
        assert_eq!(iso.parse("2022-03-01é"), None);
        assert_eq!(iso.parse("2022-02-30"), None);
        assert_eq!(iso.parse("2022-03-01 25:00:00"), None);
        assert_eq!(iso.parse("2022-03-01 10:02:03."), None);
        assert_eq!(iso.parse("2022-03-01 10:2"), None);
    }
}

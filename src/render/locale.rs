//! Locale-aware formatting for the portal's two languages (Indonesian and
//! English): numbers, money, percentages, ratios, compact amounts, month and
//! day names, and dates. Everything is pure and deterministic: no OS locale,
//! no clock. Rounding is decimal and half away from zero on the value as it
//! is written (`2.5` -> `3`, `1.005` -> `1.01`), never on binary artefacts.

use crate::config::Language;
use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

/// Shown in place of an undefined value (null, NaN, infinite).
pub const MISSING: &str = "–";

/// The most decimals any formatter shows; larger requests are clamped.
pub const MAX_DECIMALS: usize = 20;

/// The language and default currency that number and date formats follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locale {
    language: Language,
    currency: String,
}

impl Locale {
    /// A locale for `language` whose `money` uses `currency` (ISO 4217,
    /// case-insensitive) unless a call names another.
    pub fn new(language: Language, currency: &str) -> Self {
        Locale {
            language,
            currency: currency.trim().to_ascii_uppercase(),
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The default currency code, upper case.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// `1.234.567,50` (id) or `1,234,567.50` (en).
    pub fn number(&self, x: f64, decimals: usize) -> String {
        self.format_with(x, 0, decimals, false, "")
    }

    /// `Rp 1.234.567`, `$1,234`, `$12.50`, `-€12,00`, `CHF 1.234`. By
    /// default IDR and JPY have no decimals, other currencies two below a
    /// thousand and none from a thousand up (cents of large amounts are
    /// noise; `charts.js` writes tooltips the same way).
    pub fn money(&self, x: f64, currency: Option<&str>, decimals: Option<usize>) -> String {
        let code = currency.map_or_else(|| self.currency.clone(), normalise_code);
        let decimals = decimals.unwrap_or_else(|| default_money_decimals(&code, x));
        let Some(r) = Rounded::new(x, 0, decimals) else {
            return MISSING.to_string();
        };
        let sign = if r.negative { "-" } else { "" };
        format!("{sign}{}{}", currency_prefix(&code), self.render(&r))
    }

    /// A ratio as a percentage: 0.125 -> `12,5%` (id) or `12.5%` (en).
    pub fn percent(&self, ratio: f64, decimals: usize) -> String {
        self.format_with(ratio, 2, decimals, false, "%")
    }

    /// A change as a signed percentage: `+5,2%`, `-3,0%`, `0,0%`.
    pub fn signed_percent(&self, ratio: f64, decimals: usize) -> String {
        self.format_with(ratio, 2, decimals, true, "%")
    }

    /// A multiple: 3.14 -> `3,1×` (id) or `3.1×` (en).
    pub fn ratio(&self, x: f64, decimals: usize) -> String {
        self.format_with(x, 0, decimals, false, "×")
    }

    /// A short amount with one optional decimal: `1,2 rb`, `3,4 jt`, `5,6 M`,
    /// `7,8 T` (id) or `1.2K`, `3.4M`, `5.6B`, `7.8T` (en); below a thousand
    /// the plain number.
    pub fn compact(&self, x: f64) -> String {
        let units = match self.language {
            Language::Id => [" rb", " jt", " M", " T"],
            Language::En => ["K", "M", "B", "T"],
        };
        let Some(mut r) = Rounded::new(x, 0, 1) else {
            return MISSING.to_string();
        };
        let mut unit = "";
        for (tier, name) in (1..).zip(units) {
            if r.int.len() <= 3 {
                break;
            }
            r = match Rounded::new(x, -3 * tier, 1) {
                Some(scaled) => scaled,
                None => return MISSING.to_string(),
            };
            unit = name;
        }
        if r.frac == "0" {
            r.frac.clear();
        }
        let sign = if r.negative { "-" } else { "" };
        format!("{sign}{}{unit}", self.render(&r))
    }

    /// The name of `month` (1 = January); `None` outside 1..=12.
    pub fn month_name(&self, month: u32, short: bool) -> Option<&'static str> {
        let index = usize::try_from(month.checked_sub(1)?).ok()?;
        self.months(short).get(index).copied()
    }

    /// The name of a weekday by index, 0 = Monday ... 6 = Sunday; `None`
    /// outside 0..=6.
    pub fn weekday_name(&self, index: u32, short: bool) -> Option<&'static str> {
        let index = usize::try_from(index).ok()?;
        self.weekdays(short).get(index).copied()
    }

    /// A date in a `style`: `long` (`5 Maret 2022`), `short` (`05/03/2022`
    /// in id, ISO `2022-03-05` in en), `month` (`Maret 2022`), or a chrono
    /// strftime pattern whose `%B`, `%b`/`%h`, `%A` and `%a` are localised.
    pub fn date(&self, d: NaiveDate, style: &str) -> Result<String> {
        let month = self.months(false)[d.month0() as usize];
        match style {
            "long" => Ok(format!("{} {month} {}", d.day(), d.year())),
            "month" => Ok(format!("{month} {}", d.year())),
            "short" => Ok(match self.language {
                Language::Id => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
                Language::En => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            }),
            pattern if pattern.contains('%') => self.format_pattern(d, pattern),
            other => Err(Error::new(format!("unknown date style `{other}`")).hint(
                "use \"long\", \"short\", \"month\" or a chrono pattern such as \"%d %B %Y\"",
            )),
        }
    }

    fn months(&self, short: bool) -> &'static [&'static str; 12] {
        self.language.month_names(short)
    }

    fn weekdays(&self, short: bool) -> &'static [&'static str; 7] {
        self.language.weekday_names(short)
    }

    /// Format with chrono after replacing the name codes by localised names.
    fn format_pattern(&self, d: NaiveDate, pattern: &str) -> Result<String> {
        let localised = self.localise_pattern(d, pattern);
        let mut out = String::new();
        write!(out, "{}", d.format(&localised)).map_err(|_| {
            Error::new(format!("invalid date pattern `{pattern}`")).hint(
                "use chrono strftime codes such as \"%d %B %Y\"; a date has no time codes like %H",
            )
        })?;
        Ok(out)
    }

    fn localise_pattern(&self, d: NaiveDate, pattern: &str) -> String {
        let month = d.month0() as usize;
        let weekday = d.weekday().num_days_from_monday() as usize;
        let mut out = String::with_capacity(pattern.len() + 16);
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('B') => out.push_str(self.months(false)[month]),
                Some('b' | 'h') => out.push_str(self.months(true)[month]),
                Some('A') => out.push_str(self.weekdays(false)[weekday]),
                Some('a') => out.push_str(self.weekdays(true)[weekday]),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        }
        out
    }

    /// Round `x * 10^shift` and write it with an optional sign and suffix.
    fn format_with(&self, x: f64, shift: i32, decimals: usize, plus: bool, suffix: &str) -> String {
        let Some(r) = Rounded::new(x, shift, decimals) else {
            return MISSING.to_string();
        };
        let sign = match (r.negative, plus && !r.is_zero()) {
            (true, _) => "-",
            (false, true) => "+",
            (false, false) => "",
        };
        format!("{sign}{}{suffix}", self.render(&r))
    }

    /// The digits of a rounded magnitude with this locale's separators.
    fn render(&self, r: &Rounded) -> String {
        let (thousands, decimal) = match self.language {
            Language::Id => ('.', ','),
            Language::En => (',', '.'),
        };
        let mut out = group_thousands(&r.int, thousands);
        if !r.frac.is_empty() {
            out.push(decimal);
            out.push_str(&r.frac);
        }
        out
    }
}

fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// The decimals `money` writes `x` in `code` with when not told.
fn default_money_decimals(code: &str, x: f64) -> usize {
    match code {
        "IDR" | "JPY" => 0,
        _ if x.abs() >= 1000.0 => 0,
        _ => 2,
    }
}

fn currency_prefix(code: &str) -> String {
    match code {
        "IDR" => "Rp ".to_string(),
        "USD" => "$".to_string(),
        "INR" => "₹".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        "" => String::new(),
        other => format!("{other} "),
    }
}

/// Insert `sep` between groups of three digits, counting from the right.
fn group_thousands(digits: &str, sep: char) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A magnitude rounded to a fixed number of decimals, as decimal digits.
#[derive(Debug, PartialEq)]
struct Rounded {
    /// True when the value is below zero and does not round to zero.
    negative: bool,
    /// Integer digits without leading zeros (`"0"` for zero).
    int: String,
    /// Exactly `decimals` fraction digits.
    frac: String,
}

impl Rounded {
    /// Round `|x| * 10^shift` to `decimals` places, half away from zero,
    /// working on the shortest decimal form of `x` (so `1.005` is `1.005`,
    /// not `1.00499999...`). `None` for NaN and infinities.
    fn new(x: f64, shift: i32, decimals: usize) -> Option<Rounded> {
        if !x.is_finite() {
            return None;
        }
        let decimals = decimals.min(MAX_DECIMALS);
        // `{:e}` is the shortest round-trip form: "1.2345e3", "0e0".
        let sci = format!("{:e}", x.abs());
        let (mantissa, exponent) = sci.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let mut digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        // value = 0.d1 d2 d3 ... * 10^point
        let mut point = exponent.checked_add(1)?.checked_add(shift)?;
        if point < 1 {
            let zeros = usize::try_from(1 - point).ok()?;
            digits.splice(0..0, std::iter::repeat_n(0, zeros));
            point = 1;
        }
        let mut int_len = usize::try_from(point).ok()?;
        let keep = int_len + decimals;
        if digits.len() <= keep {
            digits.resize(keep + 1, 0);
        }
        let round_up = digits[keep] >= 5;
        digits.truncate(keep);
        if round_up && carry_one(&mut digits) {
            digits.insert(0, 1);
            int_len += 1;
        }
        let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let (int, frac) = text.split_at(int_len);
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let is_zero = digits.iter().all(|&d| d == 0);
        Some(Rounded {
            negative: x < 0.0 && !is_zero,
            int: int.to_string(),
            frac: frac.to_string(),
        })
    }

    fn is_zero(&self) -> bool {
        self.int == "0" && self.frac.bytes().all(|b| b == b'0')
    }
}

/// Add one to the last digit; true when the carry runs off the front.
fn carry_one(digits: &mut [u8]) -> bool {
    for d in digits.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Locale {
        Locale::new(Language::Id, "IDR")
    }

    fn en() -> Locale {
        Locale::new(Language::En, "idr")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn number_groups_thousands_per_language() {
        assert_eq!(id().number(1234567.5, 2), "1.234.567,50");
        assert_eq!(en().number(1234567.5, 2), "1,234,567.50");
        assert_eq!(id().number(999.0, 0), "999");
        assert_eq!(id().number(1000.0, 0), "1.000");
        assert_eq!(en().number(0.0, 1), "0.0");
        assert_eq!(en().number(123456.0, 0), "123,456");
    }

    #[test]
    fn number_rounds_half_away_from_zero() {
        assert_eq!(en().number(2.5, 0), "3");
        assert_eq!(en().number(3.5, 0), "4");
        assert_eq!(en().number(-2.5, 0), "-3");
        assert_eq!(en().number(0.125, 2), "0.13");
        // 1.005 is 1.00499999999999989... in binary; as written it is a tie.
        assert_eq!(en().number(1.005, 2), "1.01");
        assert_eq!(en().number(2.4999, 0), "2");
        assert_eq!(id().number(999.96, 1), "1.000,0");
        assert_eq!(id().number(9999.5, 0), "10.000");
    }

    #[test]
    fn number_handles_negatives_large_small_and_undefined() {
        assert_eq!(id().number(-1234.5, 1), "-1.234,5");
        // A negative that rounds to zero loses its sign.
        assert_eq!(en().number(-0.004, 2), "0.00");
        assert_eq!(en().number(-0.0, 0), "0");
        assert_eq!(en().number(1e15, 0), "1,000,000,000,000,000");
        assert_eq!(id().number(12345678901.0, 0), "12.345.678.901");
        assert_eq!(en().number(0.000123, 4), "0.0001");
        assert_eq!(en().number(1e-300, 2), "0.00");
        assert_eq!(en().number(f64::NAN, 2), "–");
        assert_eq!(en().number(f64::INFINITY, 2), "–");
        assert_eq!(en().number(f64::NEG_INFINITY, 0), "–");
        // Decimals beyond MAX_DECIMALS are clamped.
        assert_eq!(en().number(0.5, 99), format!("0.5{}", "0".repeat(19)));
    }

    #[test]
    fn money_uses_symbols_and_currency_decimals() {
        assert_eq!(id().money(1234567.0, None, None), "Rp 1.234.567");
        assert_eq!(en().money(1234567.0, None, None), "Rp 1,234,567");
        assert_eq!(id().money(1234567.5, None, None), "Rp 1.234.568");
        // Two decimals below a thousand, none from a thousand up (half
        // away from zero), unless told.
        assert_eq!(en().money(1234.5, Some("usd"), None), "$1,235");
        assert_eq!(id().money(1234.5, Some("USD"), None), "$1.235");
        assert_eq!(en().money(1234.5, Some("usd"), Some(2)), "$1,234.50");
        assert_eq!(en().money(999.5, Some("usd"), None), "$999.50");
        assert_eq!(en().money(-1000.0, Some("usd"), None), "-$1,000");
        assert_eq!(en().money(99.999, Some("EUR"), None), "€100.00");
        assert_eq!(en().money(10.0, Some("GBP"), Some(0)), "£10");
        assert_eq!(en().money(1500.0, Some("INR"), None), "₹1,500");
        assert_eq!(en().money(1500.0, Some("JPY"), None), "JPY 1,500");
        assert_eq!(id().money(1234.0, Some("CHF"), Some(0)), "CHF 1.234");
        assert_eq!(id().money(1234.0, None, Some(2)), "Rp 1.234,00");
    }

    #[test]
    fn money_signs_and_undefined() {
        assert_eq!(id().money(-1234.0, None, None), "-Rp 1.234");
        assert_eq!(en().money(-5.5, Some("USD"), None), "-$5.50");
        assert_eq!(id().money(-0.4, None, None), "Rp 0");
        assert_eq!(id().money(f64::NAN, None, None), "–");
        assert_eq!(
            Locale::new(Language::En, "usd").money(3.0, None, None),
            "$3.00"
        );
    }

    #[test]
    fn percent_scales_by_hundred_exactly() {
        assert_eq!(id().percent(0.125, 1), "12,5%");
        assert_eq!(en().percent(0.125, 1), "12.5%");
        // 0.125 * 100 = 12.5, a tie at 0 decimals -> 13.
        assert_eq!(en().percent(0.125, 0), "13%");
        // 0.145 * 100 in f64 is 14.499999999999998; decimally it is 14.5.
        assert_eq!(en().percent(0.145, 0), "15%");
        assert_eq!(en().percent(0.07, 2), "7.00%");
        assert_eq!(id().percent(1.0, 0), "100%");
        assert_eq!(id().percent(12.3456, 1), "1.234,6%");
        assert_eq!(id().percent(-0.05, 1), "-5,0%");
        assert_eq!(id().percent(f64::NAN, 1), "–");
    }

    #[test]
    fn signed_percent_marks_direction() {
        assert_eq!(id().signed_percent(0.052, 1), "+5,2%");
        assert_eq!(id().signed_percent(-0.03, 1), "-3,0%");
        assert_eq!(en().signed_percent(0.0, 1), "0.0%");
        // Rounds to zero: no sign either way.
        assert_eq!(en().signed_percent(0.0004, 1), "0.0%");
        assert_eq!(en().signed_percent(-0.0004, 1), "0.0%");
        assert_eq!(en().signed_percent(0.00051, 1), "+0.1%");
    }

    #[test]
    fn ratio_uses_times_sign() {
        assert_eq!(id().ratio(3.12, 1), "3,1×");
        assert_eq!(en().ratio(3.12, 1), "3.1×");
        assert_eq!(en().ratio(2.25, 1), "2.3×");
        assert_eq!(id().ratio(1500.0, 0), "1.500×");
        assert_eq!(en().ratio(f64::INFINITY, 1), "–");
    }

    #[test]
    fn compact_picks_unit_per_language() {
        assert_eq!(id().compact(1234.0), "1,2 rb");
        assert_eq!(id().compact(3_400_000.0), "3,4 jt");
        assert_eq!(id().compact(5_600_000_000.0), "5,6 M");
        assert_eq!(id().compact(7_800_000_000_000.0), "7,8 T");
        assert_eq!(en().compact(1234.0), "1.2K");
        assert_eq!(en().compact(3_400_000.0), "3.4M");
        assert_eq!(en().compact(5_600_000_000.0), "5.6B");
        assert_eq!(en().compact(7_800_000_000_000.0), "7.8T");
    }

    #[test]
    fn compact_writes_juta_and_miliar_in_id_million_and_billion_in_en() {
        // The one compact style of prose, KPI tiles and chart axes.
        assert_eq!(id().compact(1_200_000.0), "1,2 jt");
        assert_eq!(id().compact(3_400_000_000.0), "3,4 M");
        assert_eq!(en().compact(1_200_000.0), "1.2M");
        assert_eq!(en().compact(3_400_000_000.0), "3.4B");
    }

    #[test]
    fn compact_plain_below_thousand_trims_zero_and_promotes() {
        assert_eq!(id().compact(999.0), "999");
        assert_eq!(id().compact(12.34), "12,3");
        assert_eq!(en().compact(0.0), "0");
        assert_eq!(en().compact(1000.0), "1K");
        assert_eq!(id().compact(2_000_000.0), "2 jt");
        // 999.96 rounds to 1000.0, so it is shown as a thousand.
        assert_eq!(en().compact(999.96), "1K");
        // 999,950 is 999.95 K -> 1000.0 K -> 1.0 M.
        assert_eq!(en().compact(999_950.0), "1M");
        assert_eq!(en().compact(1250.0), "1.3K");
        assert_eq!(id().compact(-1_250_000.0), "-1,3 jt");
        // Beyond trillions the last unit grows.
        assert_eq!(en().compact(1.5e15), "1,500T");
        assert_eq!(id().compact(f64::NAN), "–");
    }

    #[test]
    fn month_and_weekday_names() {
        assert_eq!(id().month_name(1, false), Some("Januari"));
        assert_eq!(id().month_name(8, true), Some("Agu"));
        assert_eq!(id().month_name(12, false), Some("Desember"));
        assert_eq!(en().month_name(5, false), Some("May"));
        assert_eq!(en().month_name(10, true), Some("Oct"));
        assert_eq!(en().month_name(0, false), None);
        assert_eq!(en().month_name(13, true), None);
        assert_eq!(id().weekday_name(0, false), Some("Senin"));
        assert_eq!(id().weekday_name(4, false), Some("Jumat"));
        assert_eq!(id().weekday_name(6, true), Some("Min"));
        assert_eq!(en().weekday_name(2, false), Some("Wednesday"));
        assert_eq!(en().weekday_name(5, true), Some("Sat"));
        assert_eq!(en().weekday_name(7, false), None);
    }

    #[test]
    fn date_named_styles() {
        let d = day(2022, 3, 5);
        assert_eq!(id().date(d, "long").unwrap(), "5 Maret 2022");
        assert_eq!(en().date(d, "long").unwrap(), "5 March 2022");
        assert_eq!(id().date(d, "short").unwrap(), "05/03/2022");
        assert_eq!(en().date(d, "short").unwrap(), "2022-03-05");
        assert_eq!(id().date(d, "month").unwrap(), "Maret 2022");
        assert_eq!(
            en().date(day(2023, 12, 31), "month").unwrap(),
            "December 2023"
        );
    }

    #[test]
    fn date_patterns_localise_names() {
        // 5 March 2022 was a Saturday.
        let d = day(2022, 3, 5);
        assert_eq!(
            id().date(d, "%A, %d %B %Y").unwrap(),
            "Sabtu, 05 Maret 2022"
        );
        assert_eq!(en().date(d, "%a %e %b %Y").unwrap(), "Sat  5 Mar 2022");
        assert_eq!(
            id().date(day(2021, 8, 16), "%a %h %y").unwrap(),
            "Sen Agu 21"
        );
        assert_eq!(id().date(d, "%Y-%m").unwrap(), "2022-03");
        // `%%B` is a literal percent sign followed by B.
        assert_eq!(id().date(d, "100%%B").unwrap(), "100%B");
    }

    #[test]
    fn date_bad_style_or_pattern_is_an_error() {
        let d = day(2022, 3, 5);
        let err = id().date(d, "longest").unwrap_err();
        assert_eq!(err.message(), "unknown date style `longest`");
        assert!(err.hint_text().is_some());
        let err = id().date(d, "%H:%M").unwrap_err();
        assert_eq!(err.message(), "invalid date pattern `%H:%M`");
        assert!(id().date(d, "%Y %").is_err());
    }
}

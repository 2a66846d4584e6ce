//! The locale-aware Tera filters that narratives and templates use to quote
//! numbers and dates (`num`, `money`, `pct`, `signed_pct`, `ratio`,
//! `compact`, `date`, `month`, `month_name`, `day_name`). Each filter checks
//! its input and arguments and fails with a message naming itself and the
//! bad value; a null input (an undefined result) renders as `–`.

use super::locale::{Locale, MAX_DECIMALS, MISSING};
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use std::collections::HashMap;
use tera::Tera;

type Args = HashMap<String, Value>;

/// Formats one filter input with the locale.
type Format = fn(&Locale, &Call<'_>) -> tera::Result<String>;

/// The names of the formatting filters pages can use.
pub fn filter_names() -> impl Iterator<Item = &'static str> {
    FILTERS.iter().map(|f| f.0)
}

/// Every filter: its name, the arguments it accepts, and how it formats.
const FILTERS: [(&str, &[&str], Format); 10] = [
    ("num", &["decimals"], format_num),
    ("money", &["currency", "decimals"], format_money),
    ("pct", &["decimals"], format_pct),
    ("signed_pct", &["decimals"], format_signed_pct),
    ("ratio", &["decimals"], format_ratio),
    ("compact", &[], format_compact),
    ("date", &["style"], format_date),
    ("month", &[], format_month),
    ("month_name", &["short"], format_month_name),
    ("day_name", &["short"], format_day_name),
];

/// Lower-case English weekday names, Monday first, as data tools print them.
const ENGLISH_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Register all locale-aware filters on `tera`, replacing any built-in
/// filter of the same name (Tera's own `date`, when enabled).
pub fn register_filters(tera: &mut Tera, locale: &Locale) {
    for (name, allowed, format_input) in FILTERS {
        let locale = locale.clone();
        tera.register_filter(name, move |value: &Value, args: &Args| {
            let call = Call {
                filter: name,
                value,
                args,
            };
            call.check_args(allowed)?;
            if value.is_null() {
                return Ok(Value::String(MISSING.to_string()));
            }
            format_input(&locale, &call).map(Value::String)
        });
    }
}

fn format_num(locale: &Locale, call: &Call) -> tera::Result<String> {
    Ok(locale.number(call.number()?, call.decimals(0)?))
}

fn format_money(locale: &Locale, call: &Call) -> tera::Result<String> {
    let currency = call.text("currency")?;
    Ok(locale.money(call.number()?, currency, call.optional_decimals()?))
}

fn format_pct(locale: &Locale, call: &Call) -> tera::Result<String> {
    Ok(locale.percent(call.number()?, call.decimals(1)?))
}

fn format_signed_pct(locale: &Locale, call: &Call) -> tera::Result<String> {
    Ok(locale.signed_percent(call.number()?, call.decimals(1)?))
}

fn format_ratio(locale: &Locale, call: &Call) -> tera::Result<String> {
    Ok(locale.ratio(call.number()?, call.decimals(1)?))
}

fn format_compact(locale: &Locale, call: &Call) -> tera::Result<String> {
    Ok(locale.compact(call.number()?))
}

fn format_date(locale: &Locale, call: &Call) -> tera::Result<String> {
    let date = call.date()?;
    let style = call.text("style")?.unwrap_or("long");
    locale.date(date, style).map_err(|e| {
        let hint = e.hint_text().map(|h| format!("; {h}")).unwrap_or_default();
        call.fail(format!("{}{hint}", e.message()))
    })
}

fn format_month(locale: &Locale, call: &Call) -> tera::Result<String> {
    let date = call.month()?;
    locale
        .date(date, "month")
        .map_err(|e| call.fail(e.message()))
}

fn format_month_name(locale: &Locale, call: &Call) -> tera::Result<String> {
    let short = call.flag("short")?;
    let month = match whole_number(call.value) {
        Some(n) => u32::try_from(n).ok(),
        None => text_month(call.value).map(|d| d.month()),
    };
    month
        .and_then(|m| locale.month_name(m, short))
        .map(str::to_string)
        .ok_or_else(|| call.expected("a month number from 1 to 12 or a month like \"2022-03\""))
}

fn format_day_name(locale: &Locale, call: &Call) -> tera::Result<String> {
    let short = call.flag("short")?;
    let index = match whole_number(call.value) {
        Some(n) => u32::try_from(n).ok(),
        None => call.value.as_str().and_then(weekday_index),
    };
    index
        .and_then(|i| locale.weekday_name(i, short))
        .map(str::to_string)
        .ok_or_else(|| {
            call.expected("a weekday from 0 (Monday) to 6, a name like \"Mon\", or a date")
        })
}

/// One filter invocation: the filter's name, its input and its arguments.
struct Call<'a> {
    filter: &'static str,
    value: &'a Value,
    args: &'a Args,
}

impl Call<'_> {
    /// An error whose message starts with the filter's name.
    fn fail(&self, message: impl std::fmt::Display) -> tera::Error {
        tera::Error::msg(format!("filter `{}`: {message}", self.filter))
    }

    /// An error for an input of the wrong kind, showing the input.
    fn expected(&self, what: &str) -> tera::Error {
        tera::Error::msg(format!(
            "filter `{}` expects {what}, got {}",
            self.filter,
            show(self.value)
        ))
    }

    /// Reject arguments the filter does not take (a typo is not ignored).
    fn check_args(&self, allowed: &[&str]) -> tera::Result<()> {
        let mut unknown: Vec<&String> = self
            .args
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .collect();
        unknown.sort();
        let Some(name) = unknown.first() else {
            return Ok(());
        };
        let takes = match allowed {
            [] => "it takes no arguments".to_string(),
            _ => format!("it takes `{}`", allowed.join("`, `")),
        };
        Err(self.fail(format!("unknown argument `{name}`; {takes}")))
    }

    fn number(&self) -> tera::Result<f64> {
        parse_number(self.value).ok_or_else(|| self.expected("a number"))
    }

    fn date(&self) -> tera::Result<NaiveDate> {
        text_date(self.value).ok_or_else(|| self.expected("a date like \"2022-03-05\""))
    }

    fn month(&self) -> tera::Result<NaiveDate> {
        text_month(self.value)
            .ok_or_else(|| self.expected("a month like \"2022-03\" or a date like \"2022-03-05\""))
    }

    fn decimals(&self, default: usize) -> tera::Result<usize> {
        Ok(self.optional_decimals()?.unwrap_or(default))
    }

    fn optional_decimals(&self) -> tera::Result<Option<usize>> {
        let Some(value) = self.args.get("decimals") else {
            return Ok(None);
        };
        whole_number(value)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= MAX_DECIMALS)
            .map(Some)
            .ok_or_else(|| {
                self.fail(format!(
                    "argument `decimals` must be a whole number from 0 to {MAX_DECIMALS}, got {}",
                    show(value)
                ))
            })
    }

    fn flag(&self, name: &str) -> tera::Result<bool> {
        match self.args.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.fail(format!(
                "argument `{name}` must be true or false, got {}",
                show(other)
            ))),
        }
    }

    fn text(&self, name: &str) -> tera::Result<Option<&str>> {
        match self.args.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.as_str())),
            Some(other) => Err(self.fail(format!(
                "argument `{name}` must be a non-empty string, got {}",
                show(other)
            ))),
        }
    }
}

/// A finite number from a JSON number or a numeric string.
fn parse_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// A non-negative whole number from a JSON number (`3`, `3.0`) or a string.
fn whole_number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x <= u32::MAX as f64)
                .map(|x| x as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The date of `"YYYY-MM-DD"` or of a timestamp `"YYYY-MM-DDTHH:MM:SS..."`.
fn text_date(value: &Value) -> Option<NaiveDate> {
    let text = value.as_str()?.trim();
    let day = match text.as_bytes().get(10) {
        None => text,
        Some(b'T' | b' ') => text.get(..10)?,
        Some(_) => return None,
    };
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The first day of `"YYYY-MM"`, or the date of a date or timestamp.
fn text_month(value: &Value) -> Option<NaiveDate> {
    let text = value.as_str()?.trim();
    if text.len() == 7 {
        return NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok();
    }
    text_date(value)
}

/// Monday = 0 for an English weekday name (`Mon`, `monday`) or a date.
fn weekday_index(text: &str) -> Option<u32> {
    let name = text.trim().to_ascii_lowercase();
    let by_name = ENGLISH_DAYS
        .iter()
        .position(|day| name == *day || (name.len() == 3 && day.starts_with(&name)));
    match by_name {
        Some(i) => u32::try_from(i).ok(),
        None => text_date(&Value::String(name)).map(|d| d.weekday().num_days_from_monday()),
    }
}

/// A value as JSON for an error message, cut short when long.
fn show(value: &Value) -> String {
    let json = value.to_string();
    match json.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &json[..cut]),
        None => json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;
    use serde_json::json;

    /// Render `template` with the filters of `language` (currency IDR).
    fn render(language: Language, template: &str, data: Value) -> tera::Result<String> {
        let mut tera = Tera::default();
        register_filters(&mut tera, &Locale::new(language, "IDR"));
        tera.add_raw_template("t", template)?;
        tera.render("t", &tera::Context::from_value(data)?)
    }

    fn id(template: &str, data: Value) -> String {
        render(Language::Id, template, data).expect("renders")
    }

    fn en(template: &str, data: Value) -> String {
        render(Language::En, template, data).expect("renders")
    }

    /// The messages of an error and all its causes, joined by " / ".
    fn error_chain(template: &str, data: Value) -> String {
        let err = render(Language::Id, template, data).expect_err("fails");
        let mut messages = vec![err.to_string()];
        let mut cause = std::error::Error::source(&err);
        while let Some(c) = cause {
            messages.push(c.to_string());
            cause = c.source();
        }
        messages.join(" / ")
    }

    #[test]
    fn num_with_default_and_explicit_decimals() {
        let data = json!({"x": 1234567.5, "s": " 2.5 ", "n": -1234.25});
        assert_eq!(id("{{ x | num }}", data.clone()), "1.234.568");
        assert_eq!(
            id("{{ x | num(decimals=2) }}", data.clone()),
            "1.234.567,50"
        );
        assert_eq!(en("{{ x | num(decimals=1) }}", data.clone()), "1,234,567.5");
        assert_eq!(en("{{ s | num }}", data.clone()), "3");
        assert_eq!(id("{{ n | num(decimals=1) }}", data), "-1.234,3");
    }

    #[test]
    fn money_default_and_named_currency() {
        let data = json!({"x": 1234567, "neg": -1234, "usd": "1234.5"});
        assert_eq!(id("{{ x | money }}", data.clone()), "Rp 1.234.567");
        assert_eq!(en("{{ x | money }}", data.clone()), "Rp 1,234,567");
        assert_eq!(id("{{ neg | money }}", data.clone()), "-Rp 1.234");
        assert_eq!(
            en("{{ usd | money(currency=\"USD\") }}", data.clone()),
            "$1,235"
        );
        assert_eq!(
            id("{{ usd | money(currency=\"eur\", decimals=0) }}", data),
            "€1.235"
        );
    }

    #[test]
    fn percent_ratio_and_compact() {
        let data = json!({"share": 0.125, "mom": -0.03, "up": 0.052, "r": 3.12, "big": 3400000});
        assert_eq!(id("{{ share | pct }}", data.clone()), "12,5%");
        assert_eq!(en("{{ share | pct }}", data.clone()), "12.5%");
        assert_eq!(en("{{ share | pct(decimals=0) }}", data.clone()), "13%");
        assert_eq!(id("{{ up | signed_pct }}", data.clone()), "+5,2%");
        assert_eq!(id("{{ mom | signed_pct }}", data.clone()), "-3,0%");
        assert_eq!(id("{{ r | ratio }}", data.clone()), "3,1×");
        assert_eq!(en("{{ r | ratio(decimals=2) }}", data.clone()), "3.12×");
        assert_eq!(id("{{ big | compact }}", data.clone()), "3,4 jt");
        assert_eq!(en("{{ big | compact }}", data), "3.4M");
    }

    #[test]
    fn null_renders_dash_for_every_filter() {
        let data = json!({"x": null});
        for filter in [
            "num",
            "money",
            "pct",
            "signed_pct",
            "ratio",
            "compact",
            "date",
            "month",
            "month_name",
            "day_name",
        ] {
            assert_eq!(id(&format!("{{{{ x | {filter} }}}}"), data.clone()), "–");
        }
    }

    #[test]
    fn date_and_month_filters() {
        let data = json!({"d": "2022-03-05", "ts": "2022-03-05T14:30:00Z", "m": "2022-03"});
        assert_eq!(id("{{ d | date }}", data.clone()), "5 Maret 2022");
        assert_eq!(en("{{ ts | date }}", data.clone()), "5 March 2022");
        assert_eq!(
            id("{{ d | date(style=\"short\") }}", data.clone()),
            "05/03/2022"
        );
        assert_eq!(
            en("{{ d | date(style=\"short\") }}", data.clone()),
            "2022-03-05"
        );
        assert_eq!(
            id("{{ d | date(style=\"%A, %d %b\") }}", data.clone()),
            "Sabtu, 05 Mar"
        );
        assert_eq!(id("{{ m | month }}", data.clone()), "Maret 2022");
        assert_eq!(en("{{ ts | month }}", data), "March 2022");
    }

    #[test]
    fn month_and_day_names() {
        let data = json!({"n": 8, "s": "12", "m": "2022-05", "d": 4, "mon": "Mon", "sun": "SUNDAY", "day": "2022-03-05"});
        assert_eq!(id("{{ n | month_name }}", data.clone()), "Agustus");
        assert_eq!(id("{{ n | month_name(short=true) }}", data.clone()), "Agu");
        assert_eq!(en("{{ s | month_name }}", data.clone()), "December");
        assert_eq!(id("{{ m | month_name }}", data.clone()), "Mei");
        assert_eq!(id("{{ d | day_name }}", data.clone()), "Jumat");
        assert_eq!(en("{{ d | day_name(short=true) }}", data.clone()), "Fri");
        assert_eq!(id("{{ mon | day_name }}", data.clone()), "Senin");
        assert_eq!(id("{{ sun | day_name(short=true) }}", data.clone()), "Min");
        assert_eq!(en("{{ day | day_name }}", data), "Saturday");
    }

    #[test]
    fn bad_input_names_filter_and_value() {
        let data = json!({"s": "abc", "b": true, "m": 13, "d": "05/03/2022", "w": "Funday"});
        let chain = error_chain("{{ s | money }}", data.clone());
        assert!(
            chain.contains(r#"filter `money` expects a number, got "abc""#),
            "{chain}"
        );
        let chain = error_chain("{{ b | pct }}", data.clone());
        assert!(
            chain.contains("filter `pct` expects a number, got true"),
            "{chain}"
        );
        let chain = error_chain("{{ m | month_name }}", data.clone());
        assert!(
            chain.contains("filter `month_name` expects a month number from 1 to 12"),
            "{chain}"
        );
        assert!(chain.contains("got 13"), "{chain}");
        let chain = error_chain("{{ d | date }}", data.clone());
        assert!(
            chain.contains(r#"filter `date` expects a date like "2022-03-05", got "05/03/2022""#),
            "{chain}"
        );
        let chain = error_chain("{{ w | day_name }}", data);
        assert!(chain.contains(r#"got "Funday""#), "{chain}");
    }

    #[test]
    fn bad_arguments_are_errors() {
        let data = json!({"x": 1.5, "d": "2022-03-05"});
        let chain = error_chain("{{ x | num(decimal=2) }}", data.clone());
        assert!(
            chain.contains("filter `num`: unknown argument `decimal`; it takes `decimals`"),
            "{chain}"
        );
        let chain = error_chain("{{ x | num(decimals=-1) }}", data.clone());
        assert!(
            chain.contains("argument `decimals` must be a whole number from 0 to 20, got -1"),
            "{chain}"
        );
        let chain = error_chain("{{ x | compact(decimals=1) }}", data.clone());
        assert!(chain.contains("it takes no arguments"), "{chain}");
        let chain = error_chain("{{ x | money(currency=5) }}", data.clone());
        assert!(
            chain.contains("argument `currency` must be a non-empty string, got 5"),
            "{chain}"
        );
        let chain = error_chain("{{ x | month_name(short=\"yes\") }}", data.clone());
        assert!(
            chain.contains(r#"argument `short` must be true or false, got "yes""#),
            "{chain}"
        );
        let chain = error_chain("{{ d | date(style=\"longest\") }}", data.clone());
        assert!(
            chain.contains("filter `date`: unknown date style `longest`; use"),
            "{chain}"
        );
        let chain = error_chain("{{ d | date(style=\"%H\") }}", data);
        assert!(
            chain.contains("filter `date`: invalid date pattern `%H`"),
            "{chain}"
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "x".repeat(200);
        let shown = show(&Value::String(long));
        assert_eq!(shown, format!("\"{}…", "x".repeat(59)));
    }
}

//! Column helpers shared by the analyses: text columns as small integer codes
//! (one hash per row, no string per row), numeric columns with NaN as
//! missing, numbers that JSON can hold, safe division, relative change and
//! compensated sums, calendar months and Monday weeks, table-name slugs and
//! texts in the report's language.

use crate::config::Language;
use crate::data::columns;
use crate::error::Result;
use chrono::{Datelike, NaiveDate};
use polars::prelude::DataFrame;
use serde_json::Value;

/// A column as one code per row (`None` for nulls) and the text of each code.
#[derive(Debug, Default)]
pub(crate) struct Codes {
    pub codes: Vec<Option<u32>>,
    pub names: Vec<String>,
}

/// Read column `name` (asked for by `setting`) as codes in order of first
/// appearance, with the text of each code; any type is read as its text
/// form (booleans as `true`/`false`). Only the distinct values become text
/// (`ids::ids` makes none until asked).
pub(crate) fn encode(df: &DataFrame, name: &str, setting: &str) -> Result<Codes> {
    let ids = super::ids::ids(df, name, setting)?;
    let names = ids.texts()?;
    Ok(Codes {
        codes: ids.codes,
        names,
    })
}

/// A numeric column with NaN read as missing, as pandas does.
pub(crate) fn numbers(df: &DataFrame, name: &str, setting: &str) -> Result<Vec<Option<f64>>> {
    let values = columns::numbers(df, name, setting)?;
    Ok(values
        .into_iter()
        .map(|v| v.filter(|x| !x.is_nan()))
        .collect())
}

/// A count column of an aggregate a database computed (`COUNT`, `SUM` of
/// ones): whole numbers, a null (no row summed) as 0.
pub(crate) fn counts(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    Ok(columns::numbers(df, name, name)?
        .into_iter()
        .map(|v| v.unwrap_or(0.0) as u64)
        .collect())
}

/// `a / b`, or `None` when either is undefined or `b` is zero.
pub(crate) fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    }
}

/// The relative change from `previous` to `current` (0.25 = +25%, shown with
/// the `pct` filter), as pandas `pct_change`; `None` when either is undefined
/// or `previous` is zero.
pub(crate) fn change(previous: Option<f64>, current: Option<f64>) -> Option<f64> {
    let difference = current.zip(previous).map(|(c, p)| c - p);
    ratio(difference, previous)
}

/// A calendar month as a running number (year·12 + month − 1), so that
/// consecutive months differ by one.
pub(crate) fn month_number(date: NaiveDate) -> i32 {
    date.year() * 12 + date.month0() as i32
}

/// The `YYYY-MM` label of a month number.
pub(crate) fn month_label(month: i32) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// The Monday that starts the week of `date`.
pub(crate) fn week_start(date: NaiveDate) -> NaiveDate {
    let back = date.weekday().num_days_from_monday();
    date - chrono::TimeDelta::days(i64::from(back))
}

/// Pick the Indonesian or English text (chart titles, labels).
pub(crate) fn text(lang: Language, id: &str, en: &str) -> String {
    match lang {
        Language::Id => id.to_string(),
        Language::En => en.to_string(),
    }
}

/// A JSON number: integral values as integers, undefined or non-finite
/// values as null (never NaN).
pub(crate) fn number(v: Option<f64>) -> Value {
    crate::table::number_cell(v)
}

/// A lowercase ASCII slug for table names: `Sales Channel ` -> `sales_channel`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("column");
    }
    out
}

/// A sum with Kahan compensation, added in the same order and with the same
/// steps as pandas' groupby `sum` and `mean`, so totals match to the bit.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KahanSum {
    sum: f64,
    compensation: f64,
}

impl KahanSum {
    pub fn add(&mut self, value: f64) {
        let y = value - self.compensation;
        let t = self.sum + y;
        self.compensation = t - self.sum - y;
        if self.compensation.is_nan() {
            // An infinite value: keep the infinity rather than NaN.
            self.compensation = 0.0;
        }
        self.sum = t;
    }

    pub fn value(&self) -> f64 {
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encode_gives_codes_in_first_seen_order_and_keeps_nulls() {
        let df = polars::df!("k" => [Some("b"), None, Some("a"), Some("b")]).unwrap();
        let c = encode(&df, "k", "segment").unwrap();
        assert_eq!(c.codes, vec![Some(0), None, Some(1), Some(0)]);
        assert_eq!(c.names, vec!["b", "a"]);
        let bools = polars::df!("B2B" => [true, false]).unwrap();
        assert_eq!(
            encode(&bools, "B2B", "segment").unwrap().names,
            ["true", "false"]
        );
    }

    #[test]
    fn numbers_are_null_when_undefined() {
        assert_eq!(ratio(Some(1.0), Some(0.0)), None);
        assert_eq!(ratio(Some(3.0), Some(2.0)), Some(1.5));
        assert_eq!(number(Some(f64::NAN)), Value::Null);
        assert_eq!(number(Some(3.0)), json!(3));
        assert_eq!(number(Some(0.5)), json!(0.5));
    }

    #[test]
    fn changes_months_and_weeks() {
        // (15 - 12) / 12 = 0.25; from 0 or from nothing is undefined.
        assert_eq!(change(Some(12.0), Some(15.0)), Some(0.25));
        assert_eq!(change(Some(0.0), Some(5.0)), None);
        assert_eq!(change(None, Some(5.0)), None);
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // December 2023 and January 2024 are consecutive numbers.
        assert_eq!(
            month_number(d(2024, 1, 31)) - month_number(d(2023, 12, 1)),
            1
        );
        assert_eq!(month_label(month_number(d(2024, 1, 31))), "2024-01");
        assert_eq!(month_label(month_number(d(2023, 12, 1))), "2023-12");
        // 2024-03-03 is a Sunday: its week starts Monday 2024-02-26;
        // Monday 2024-03-04 starts its own week.
        assert_eq!(week_start(d(2024, 3, 3)), d(2024, 2, 26));
        assert_eq!(week_start(d(2024, 3, 4)), d(2024, 3, 4));
    }

    #[test]
    fn numbers_read_nan_as_missing() {
        let df = polars::df!("a" => [Some(1.0), Some(f64::NAN), None]).unwrap();
        assert_eq!(
            numbers(&df, "a", "amount").unwrap(),
            [Some(1.0), None, None]
        );
    }

    #[test]
    fn nan_is_missing_and_kahan_sums_compensate() {
        let df = polars::df!("a" => [Some(1.5), Some(f64::NAN), None]).unwrap();
        assert_eq!(
            numbers(&df, "a", "amount").unwrap(),
            vec![Some(1.5), None, None]
        );
        // Plain summation of 1 + 1e-16 + 1e-16 loses both small terms;
        // the compensated sum keeps them: 1 + 2e-16 rounds to 1 + 2^-52.
        let mut s = KahanSum::default();
        for v in [1.0, 1e-16, 1e-16] {
            s.add(v);
        }
        assert_eq!(s.value(), 1.0 + f64::EPSILON);
        assert_eq!(text(Language::Id, "ya", "yes"), "ya");
    }

    #[test]
    fn slug_keeps_letters_and_digits() {
        assert_eq!(slug("Sales Channel "), "sales_channel");
        assert_eq!(slug("ship-service-level"), "ship_service_level");
        assert_eq!(slug("  "), "column");
    }
}

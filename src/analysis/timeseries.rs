//! Time series (analyses.md §7): a value aggregated per period (month,
//! Monday week or day) and per value of a dimension (country, product...),
//! every period from the first to the last for every dimension value, with a
//! chart whose dropdown picks one value and an overview of all of them.
//!
//! Front matter:
//! ```toml
//! [analyses.by_country]
//! kind = "time_series"
//! table = "sales"
//! date = "Date"
//! value = "Amount"     # numeric; optional for agg = "count" (counts rows)
//! agg = "sum"          # sum | mean | count, default sum
//! by = "Country"
//! period = "month"     # month | week | day, default month
//! top = 5              # optional: keep the 5 values with the largest total
//! ```
//! Rows without a date or a `by` value are left out (counted). Missing values
//! are left out of sums and means, never taken as zero, and `count` counts
//! the present values (all rows when `value` is not given), as pandas does.
//! A period without data is 0 for `sum` and `count` and null (a gap) for
//! `mean`. The periods run from the first to the last period of the kept
//! rows. A value's total is the same aggregate over all its rows (for
//! `mean`, the mean of its rows); values are ordered by total, largest
//! first, ties by name, and `top` keeps the first N.

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::analysis::common::{
    Codes, counts, encode, month_label, month_number, number, numbers, ratio,
};
use crate::analysis::common::{text, week_start};
use crate::chart::{ChartKind, ChartSpec};
use crate::config::Language;
use crate::data::columns;
use crate::error::{Error, Result};
use crate::table::Table;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The settings of a `kind = "time_series"` analysis.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimeSeriesSpec {
    /// The input table (a source name).
    pub table: String,
    /// The date column.
    pub date: String,
    /// The numeric column aggregated; may be left out for `agg = "count"`.
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub agg: Agg,
    /// The dimension column: one series per value.
    pub by: String,
    #[serde(default)]
    pub period: Period,
    /// Keep only the N values with the largest total.
    #[serde(default)]
    pub top: Option<usize>,
}

/// How the rows of one period are combined.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    #[default]
    Sum,
    Mean,
    Count,
}

/// The length of one period; weeks start on Monday.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Month,
    Week,
    Day,
}

impl Period {
    /// A running number per period: consecutive periods differ by one.
    fn number(self, date: NaiveDate) -> i32 {
        match self {
            Period::Month => month_number(date),
            Period::Week => (week_start(date).num_days_from_ce() - 1).div_euclid(7),
            Period::Day => date.num_days_from_ce(),
        }
    }

    /// `YYYY-MM` for months, the date (of the Monday) for weeks and days.
    fn label(self, number: i32) -> String {
        let day = match self {
            Period::Month => return month_label(number),
            Period::Week => number * 7 + 1,
            Period::Day => number,
        };
        NaiveDate::from_num_days_from_ce_opt(day).map_or_else(String::new, |d| d.to_string())
    }

    fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Week => "week",
            Period::Day => "day",
        }
    }
}

/// Sum and count of the values of one cell (a dimension value in a period,
/// or over all periods).
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    sum: f64,
    count: u64,
}

impl Agg {
    fn name(self) -> &'static str {
        match self {
            Agg::Sum => "sum",
            Agg::Mean => "mean",
            Agg::Count => "count",
        }
    }
}

impl Cell {
    fn value(self, agg: Agg) -> Option<f64> {
        match agg {
            Agg::Sum => Some(self.sum),
            Agg::Count => Some(self.count as f64),
            Agg::Mean => ratio(Some(self.sum), Some(self.count as f64)),
        }
    }
}

/// The aggregated grid: `cells[code][slot]` and a total per code.
struct Grid {
    first: i32,
    periods: usize,
    cells: Vec<Vec<Cell>>,
    totals: Vec<Cell>,
    /// Codes with at least one dated row (others only occur on left-out rows).
    present: Vec<bool>,
    missing: [u64; 3],
}

/// Run the analysis. Result fields: `by`, `agg`, `period`, `value`, `top`,
/// `first_period`, `last_period`, `periods[]`, `values[]` (kept, in order),
/// `totals.VALUE` (all values), `series.VALUE[]` (aligned to `periods`),
/// `dropped_missing_date`, `dropped_missing_by`, `dropped_missing_value`.
/// Tables: `series` (BY, period, value) and `totals` (BY, total, rows,
/// kept). Charts: `series` (one value picked from a dropdown), `overview`.
pub fn run(spec: &TimeSeriesSpec, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    check_settings(spec)?;
    let df = input_table(ctx, &spec.table)?;
    let dates = columns::dates(df, &spec.date, "date")?;
    let by = encode(df, &spec.by, "by")?;
    let values = match &spec.value {
        Some(name) => Some(numbers(df, name, "value")?),
        None => None,
    };
    let grid = aggregate(spec, &dates, &by, &Values::Rows(values.as_deref()))?;
    finish(spec, ctx, grid, by)
}

/// Run the analysis over the groups a database computed
/// (`pushdown::aggregate`: per dimension value and day).
pub fn run_pushed(
    spec: &TimeSeriesSpec,
    ctx: &AnalysisContext,
    groups: &polars::prelude::DataFrame,
) -> Result<AnalysisOutput> {
    check_settings(spec)?;
    let dates = columns::dates(groups, "day", "date")?;
    let by = encode(groups, "by", "by")?;
    let sum = columns::numbers(groups, "sum", "value")?;
    let (count, rows) = (counts(groups, "value_count")?, counts(groups, "row_count")?);
    let values = Values::Groups {
        sum: &sum,
        count: &count,
        rows: &rows,
    };
    let grid = aggregate(spec, &dates, &by, &values)?;
    finish(spec, ctx, grid, by)
}

fn finish(
    spec: &TimeSeriesSpec,
    ctx: &AnalysisContext,
    grid: Grid,
    by: Codes,
) -> Result<AnalysisOutput> {
    let order = rank(spec, &grid, &by.names);
    let kept = &order[..spec.top.unwrap_or(order.len()).min(order.len())];
    let mut out = AnalysisOutput::default();
    out.tables
        .insert("series".into(), series_table(spec, &grid, &by, kept));
    out.tables.insert(
        "totals".into(),
        totals_table(spec, &grid, &by, &order, kept.len()),
    );
    out.result = result_json(spec, &grid, &by, &order, kept.len());
    add_charts(&mut out, spec, ctx.language);
    Ok(out)
}

fn check_settings(spec: &TimeSeriesSpec) -> Result<()> {
    if spec.top == Some(0) {
        return Err(Error::new("setting `top` is 0")
            .setting("top")
            .hint("keep at least one value: `top = 5`"));
    }
    if spec.value.is_none() && spec.agg != Agg::Count {
        return Err(Error::new("setting `value` is missing").setting("value")
            .hint("name the numeric column to aggregate, e.g. `value = \"Amount\"`, or use `agg = \"count\"`"));
    }
    if spec.by == "period" || spec.by == "value" {
        return Err(Error::new(format!(
            "column `{}` (setting `by`) clashes with the `series` table's own columns",
            spec.by
        ))
        .setting("by")
        .hint("rename the column in the source's `rename`"));
    }
    Ok(())
}

/// Sum and count every (value, period) cell and every value's total.
/// What each row of the input stands for: one order line (its value, if
/// any; `None` for `agg = "count"` without a value), or a group of lines
/// with the sum and count of their present values and their number.
enum Values<'a> {
    Rows(Option<&'a [Option<f64>]>),
    Groups {
        sum: &'a [Option<f64>],
        count: &'a [u64],
        rows: &'a [u64],
    },
}

impl Values<'_> {
    /// Sum and count of the present values of input row `row`, and the
    /// lines it stands for.
    fn at(&self, row: usize) -> (f64, u64, u64) {
        match self {
            Values::Rows(None) => (0.0, 1, 1),
            Values::Rows(Some(v)) => v[row].map_or((0.0, 0, 1), |x| (x, 1, 1)),
            Values::Groups { sum, count, rows } => (sum[row].unwrap_or(0.0), count[row], rows[row]),
        }
    }
}

fn aggregate(
    spec: &TimeSeriesSpec,
    dates: &[Option<NaiveDate>],
    by: &Codes,
    values: &Values,
) -> Result<Grid> {
    let period: Vec<Option<i32>> = dates
        .iter()
        .map(|d| d.map(|d| spec.period.number(d)))
        .collect();
    let mut missing = [0u64; 3];
    let mut used = Vec::new();
    for (row, (&p, &code)) in period.iter().zip(&by.codes).enumerate() {
        match (p, code) {
            (None, _) => missing[0] += values.at(row).2,
            (_, None) => missing[1] += values.at(row).2,
            (Some(p), Some(code)) => used.push((row, p, code as usize)),
        }
    }
    let (Some(first), Some(last)) = (
        used.iter().map(|u| u.1).min(),
        used.iter().map(|u| u.1).max(),
    ) else {
        return Err(Error::new(format!(
            "table `{}` (setting `table`) has no row with both a `{}` date and a `{}` value",
            spec.table, spec.date, spec.by
        ))
        .setting("table")
        .hint("check the source's file, its `filters` and the date format in `dates`"));
    };
    let periods = (last - first + 1) as usize;
    let mut cells = vec![vec![Cell::default(); periods]; by.names.len()];
    let mut totals = vec![Cell::default(); by.names.len()];
    let mut present = vec![false; by.names.len()];
    for (row, p, code) in used {
        present[code] = true;
        let (sum, count, lines) = values.at(row);
        missing[2] += lines - count;
        if count == 0 {
            continue;
        }
        for cell in [&mut cells[code][(p - first) as usize], &mut totals[code]] {
            cell.sum += sum;
            cell.count += count;
        }
    }
    Ok(Grid {
        first,
        periods,
        cells,
        totals,
        present,
        missing,
    })
}

/// Codes with data by total, largest first (undefined totals last), ties
/// by name.
fn rank(spec: &TimeSeriesSpec, grid: &Grid, names: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).filter(|&c| grid.present[c]).collect();
    let total = |c: usize| grid.totals[c].value(spec.agg).unwrap_or(f64::NEG_INFINITY);
    order.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(names[a].cmp(&names[b])));
    order
}

/// Long form: every kept value times every period.
fn series_table(spec: &TimeSeriesSpec, grid: &Grid, by: &Codes, kept: &[usize]) -> Table {
    let mut t = Table::new([spec.by.as_str(), "period", "value"]);
    for &code in kept {
        for (slot, cell) in grid.cells[code].iter().enumerate() {
            let label = spec.period.label(grid.first + slot as i32);
            t.push(vec![
                by.names[code].clone().into(),
                label.into(),
                number(cell.value(spec.agg)),
            ]);
        }
    }
    t
}

/// Every value's total in rank order; `kept` marks the first `kept` rows.
fn totals_table(
    spec: &TimeSeriesSpec,
    grid: &Grid,
    by: &Codes,
    order: &[usize],
    kept: usize,
) -> Table {
    let mut t = Table::new([spec.by.as_str(), "total", "rows", "kept"]);
    for (rank, &code) in order.iter().enumerate() {
        let total = grid.totals[code];
        t.push(vec![
            by.names[code].clone().into(),
            number(total.value(spec.agg)),
            total.count.into(),
            (rank < kept).into(),
        ]);
    }
    t
}

fn result_json(
    spec: &TimeSeriesSpec,
    grid: &Grid,
    by: &Codes,
    order: &[usize],
    kept: usize,
) -> Value {
    let labels: Vec<String> = (0..grid.periods)
        .map(|s| spec.period.label(grid.first + s as i32))
        .collect();
    let name = |c: usize| by.names[c].clone();
    let totals: Map<String, Value> = order
        .iter()
        .map(|&c| (name(c), number(grid.totals[c].value(spec.agg))))
        .collect();
    let series: Map<String, Value> = order[..kept]
        .iter()
        .map(|&c| {
            let v = grid.cells[c]
                .iter()
                .map(|cell| number(cell.value(spec.agg)));
            (name(c), Value::Array(v.collect()))
        })
        .collect();
    json!({
        "by": spec.by,
        "agg": spec.agg.name(),
        "period": spec.period.name(),
        "value": spec.value,
        "top": spec.top,
        "first_period": labels.first(),
        "last_period": labels.last(),
        "periods": labels,
        "values": order[..kept].iter().map(|&c| name(c)).collect::<Vec<_>>(),
        "totals": totals,
        "series": series,
        "dropped_missing_date": grid.missing[0],
        "dropped_missing_by": grid.missing[1],
        "dropped_missing_value": grid.missing[2],
    })
}

/// `series` (one value from a dropdown) and `overview` (all values).
fn add_charts(out: &mut AnalysisOutput, spec: &TimeSeriesSpec, lang: Language) {
    let what = match (spec.agg, &spec.value) {
        (Agg::Sum, Some(v)) => text(lang, &format!("Jumlah {v}"), &format!("Sum of {v}")),
        (Agg::Mean, Some(v)) => text(lang, &format!("Rata-rata {v}"), &format!("Mean {v}")),
        (Agg::Count, Some(v)) => text(lang, &format!("Banyaknya {v}"), &format!("Count of {v}")),
        _ => text(lang, "Banyaknya baris", "Rows"),
    };
    let per = match spec.period {
        Period::Month => text(lang, "per bulan", "per month"),
        Period::Week => text(lang, "per minggu", "per week"),
        Period::Day => text(lang, "per hari", "per day"),
    };
    let base = ChartSpec {
        kind: ChartKind::Line,
        table: "series".into(),
        title: Some(format!("{what} {per}")),
        x: Some("period".into()),
        y: vec!["value".into()],
        ..ChartSpec::default()
    };
    let mut one = base.clone();
    one.select = Some(spec.by.clone());
    let mut all = base;
    all.series = Some(spec.by.clone());
    out.charts.insert("series".into(), one);
    out.charts.insert("overview".into(), all);
}

/// Time series pushed down to a database: the lines reduced on the server
/// to one row per dimension value and day (nulls grouped too) with the sum
/// and count of the present values and the number of lines; the periods
/// (months, weeks, days) are made from the days here.
pub mod pushdown {
    use super::TimeSeriesSpec;
    use crate::data::external::pushdown::{Aggregate, number_or_null, q};

    /// The aggregation over the cleaned source `s`.
    pub fn aggregate(spec: &TimeSeriesSpec) -> Aggregate {
        let (by, d) = (q(&spec.by), q(&spec.date));
        let (sum, count) = match &spec.value {
            Some(v) => {
                let present = number_or_null(v);
                (format!("SUM({present})"), format!("COUNT({present})"))
            }
            None => (
                "CAST(0 AS double precision)".to_string(),
                "COUNT(*)".to_string(),
            ),
        };
        let day = format!("CAST({d} AS date)");
        let mut columns = vec![spec.by.clone(), spec.date.clone()];
        columns.extend(spec.value.clone());
        Aggregate {
            sql: format!(
                "SELECT {by} AS \"by\", {day} AS \"day\", {sum} AS \"sum\", \
                 {count} AS \"value_count\", COUNT(*) AS \"row_count\" FROM s GROUP BY {by}, {day}"
            ),
            grouped: None,
            columns,
            dates: vec![spec.date.clone()],
            numbers: spec.value.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisSpec;
    use crate::chart::{SELECT_KEY, build_option};
    use crate::data::Tables;
    use polars::prelude::DataFrame;

    /// Eight rows; weeks start on Monday 2024-02-26, 03-04 and 03-11.
    ///
    /// | date            | country | amount | week       |
    /// |-----------------|---------|--------|------------|
    /// | 2024-02-26 Mon  | ID      | 10     | 2024-02-26 |
    /// | 2024-03-03 Sun  | ID      | 20     | 2024-02-26 |
    /// | 2024-03-04 Mon  | ID      | 5      | 2024-03-04 |
    /// | 2024-03-17 Sun  | ID      | -      | 2024-03-11 |
    /// | 2024-03-17 Sun  | SG      | 8      | 2024-03-11 |
    /// | 2024-03-05 Tue  | SG      | 4      | 2024-03-04 |
    /// | -               | MY      | 100    | (no date)  |
    /// | 2024-03-06 Wed  | -       | 7      | (no country) |
    fn sales() -> DataFrame {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day);
        polars::df!(
            "Date" => [d(2, 26), d(3, 3), d(3, 4), d(3, 17), d(3, 17), d(3, 5), None, d(3, 6)],
            "Country" => [Some("ID"), Some("ID"), Some("ID"), Some("ID"), Some("SG"), Some("SG"),
                          Some("MY"), None],
            "Amount" => [Some(10.0), Some(20.0), Some(5.0), None, Some(8.0), Some(4.0),
                         Some(100.0), Some(7.0)]
        )
        .unwrap()
    }

    fn parse(settings: &str) -> TimeSeriesSpec {
        let base = "kind = \"time_series\"\ntable = \"sales\"\ndate = \"Date\"\nby = \"Country\"\n";
        match toml::from_str::<AnalysisSpec>(&format!("{base}{settings}")).unwrap() {
            AnalysisSpec::TimeSeries(s) => s,
            other => panic!("parsed as {other:?}"),
        }
    }

    fn run_on(df: DataFrame, settings: &str) -> Result<AnalysisOutput> {
        let tables: Tables = [("sales".to_string(), df)].into_iter().collect();
        let ctx = AnalysisContext {
            tables: &tables,
            language: Language::En,
        };
        run(&parse(settings), &ctx)
    }

    /// The `value` cells of the `series` table, as numbers or null.
    fn values(out: &AnalysisOutput) -> Vec<Option<f64>> {
        let t = &out.tables["series"];
        t.column("value")
            .unwrap()
            .iter()
            .map(|v| v.as_f64())
            .collect()
    }

    fn periods(out: &AnalysisOutput) -> Value {
        out.result["periods"].clone()
    }

    #[test]
    fn weekly_sums_bucket_sunday_with_the_monday_before() {
        let out = run_on(sales(), "value = \"Amount\"\nperiod = \"week\"\n").unwrap();
        assert_eq!(
            periods(&out),
            json!(["2024-02-26", "2024-03-04", "2024-03-11"])
        );
        // ID: 10+20, 5, 0 (its only row that week has no amount);
        // SG: 0 (no row), 4, 8. ID's total 35 ranks before SG's 12; MY is
        // only on the undated row, so it has no series.
        let sums = [30.0, 5.0, 0.0, 0.0, 4.0, 8.0];
        assert_eq!(values(&out), sums.map(Some));
        let t = &out.tables["series"];
        assert_eq!(t.columns, ["Country", "period", "value"]);
        assert_eq!(t.rows[3][..2], [json!("SG"), json!("2024-02-26")]);
        let r = &out.result;
        assert_eq!(r["totals"], json!({"ID": 35, "SG": 12}));
        assert_eq!(r["values"], json!(["ID", "SG"]));
        assert_eq!(r["series"]["SG"], json!([0, 4, 8]));
        assert_eq!(
            [
                &r["dropped_missing_date"],
                &r["dropped_missing_by"],
                &r["dropped_missing_value"]
            ],
            [&json!(1), &json!(1), &json!(1)]
        );
    }

    #[test]
    fn means_leave_gaps_where_sums_have_zeros() {
        let out = run_on(
            sales(),
            "value = \"Amount\"\nperiod = \"week\"\nagg = \"mean\"\n",
        )
        .unwrap();
        // ID: (10+20)/2 = 15, 5, gap; SG: gap, 4, 8.
        assert_eq!(
            values(&out),
            [Some(15.0), Some(5.0), None, None, Some(4.0), Some(8.0)]
        );
        // Totals are means of rows: ID (10+20+5)/3, SG (4+8)/2.
        let totals = &out.tables["totals"];
        assert_eq!(totals.rows[0][0], json!("ID"));
        assert!((totals.rows[0][1].as_f64().unwrap() - 35.0 / 3.0).abs() < 1e-12);
        assert_eq!(totals.rows[1][1..], [json!(6), json!(2), json!(true)]);
    }

    #[test]
    fn counts_count_present_values_or_rows() {
        let with_value = run_on(
            sales(),
            "value = \"Amount\"\nperiod = \"week\"\nagg = \"count\"\n",
        );
        // ID: 2, 1, 0 (amount missing); SG: 0, 1, 1.
        let counts = [2.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        assert_eq!(values(&with_value.unwrap()), counts.map(Some));
        let rows = run_on(sales(), "period = \"week\"\nagg = \"count\"\n").unwrap();
        // Without `value` every row counts: ID 2, 1, 1.
        assert_eq!(values(&rows)[..3], [Some(2.0), Some(1.0), Some(1.0)]);
        assert_eq!(rows.result["dropped_missing_value"], json!(0));
    }

    #[test]
    fn months_and_days_run_from_first_to_last() {
        let months = run_on(sales(), "value = \"Amount\"\n").unwrap();
        // Feb: ID 10, SG none -> 0; Mar: ID 20+5 = 25, SG 8+4 = 12.
        assert_eq!(periods(&months), json!(["2024-02", "2024-03"]));
        assert_eq!(values(&months), [10.0, 25.0, 0.0, 12.0].map(Some));
        let days = run_on(sales(), "value = \"Amount\"\nperiod = \"day\"\n").unwrap();
        // 2024-02-26..29 (leap year) and 03-01..17: 4 + 17 = 21 days.
        assert_eq!(days.result["periods"].as_array().unwrap().len(), 21);
        assert_eq!(days.tables["series"].len(), 42);
        assert_eq!(days.result["last_period"], json!("2024-03-17"));
    }

    #[test]
    fn top_keeps_the_largest_totals_and_the_charts_pick_values() {
        let out = run_on(sales(), "value = \"Amount\"\ntop = 1\n").unwrap();
        assert_eq!(out.result["values"], json!(["ID"]));
        assert_eq!(out.tables["series"].len(), 2);
        let kept = out.tables["totals"].column("kept").unwrap();
        assert_eq!(kept, [&json!(true), &json!(false)]);
        let all = run_on(sales(), "value = \"Amount\"\n").unwrap();
        let option = build_option(&all.charts["series"], &all.tables["series"], Language::En);
        let picker = &option.unwrap()[SELECT_KEY];
        assert_eq!(picker["values"], json!(["ID", "SG"]));
        assert_eq!(picker["options"][1]["series"][0]["data"], json!([0, 12]));
        let overview = build_option(&all.charts["overview"], &all.tables["series"], Language::En);
        assert_eq!(overview.unwrap()["series"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_setting() {
        let spec = |s: &str| {
            let base =
                "kind = \"time_series\"\ntable = \"sales\"\ndate = \"Date\"\nby = \"Country\"\n";
            toml::from_str::<AnalysisSpec>(&format!("{base}{s}"))
        };
        assert!(spec("agg = \"median\"").is_err());
        assert!(spec("period = \"year\"").is_err());
        let err = |df: DataFrame, s: &str| run_on(df, s).unwrap_err().to_string();
        assert!(err(sales(), "value = \"Amount\"\ntop = 0\n").contains("`top` is 0"));
        assert!(err(sales(), "").contains("setting `value` is missing"));
        assert!(
            err(sales(), "value = \"Country\"\n").contains("(setting `value`) is str, not numeric")
        );
        let text_dates = polars::df!("Date" => ["2024-01-01"], "Country" => ["ID"]).unwrap();
        assert!(
            err(text_dates, "agg = \"count\"\n").contains("(setting `date`) is str, not a date")
        );
        assert!(err(sales().head(Some(0)), "agg = \"count\"\n").contains("has no row with both"));
        assert!(
            err(sales(), "agg = \"count\"\nvalue = \"Amt\"\n").contains("`Amt` (setting `value`)")
        );
    }
}

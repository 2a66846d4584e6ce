//! Cleaning a loaded table as a source declares it, in the documented order:
//! `rename`, then `types` and `dates`, type inference for undeclared text
//! columns, `derive`, and last `filters`. Every value that does not parse is
//! an error naming the data file, the row (and CSV line) and the column.

use super::convert::{Origins, convert_dates, convert_type, infer_text_columns};
use super::parse::DateFormat;
use super::source::{ColumnType, DeriveSpec, SourceSpec, Wanted};
use crate::error::{Error, Result};
use polars::prelude::{Column, DataFrame, DataType, Expr, IntoLazy, PlSmallStr, PolarsError};
use polars::sql::sql_expr;
use rayon::prelude::*;

/// Applies `rename`, `types`, `dates`, inference (when `infer_text`, for
/// CSV's text columns) and `derive`. Settings are checked against `header`,
/// every column of the files (trimmed), and applied to the columns read:
/// the frame may hold only those a report uses. A column `types` or `dates`
/// names that the files lack is the files' fault when the report reads it
/// (`wanted` names it), else the setting's. Filters come separately so the
/// caller can count the rows they drop.
pub fn prepare(
    df: DataFrame,
    spec: &SourceSpec,
    header: &[String],
    origins: &Origins,
    wanted: &Wanted,
    infer_text: bool,
) -> Result<DataFrame> {
    let (mut df, names) = rename_columns(df, spec, header)?;
    let jobs = conversion_jobs(&df, &names, spec, origins, wanted)?;
    // Columns convert in parallel; the first error in declaration order wins.
    let converted: Vec<Result<Column>> = jobs
        .par_iter()
        .map(|(name, job)| {
            let col = df.column(name)?;
            match job {
                Conversion::Type(ty) => convert_type(col, *ty, origins),
                Conversion::Date(format, setting) => convert_dates(col, format, setting, origins),
            }
        })
        .collect();
    for ((name, _), col) in jobs.iter().zip(converted) {
        df.replace(name, col?)?;
    }
    if infer_text {
        df = infer_text_columns(df, spec, origins)?;
    }
    derive_columns(df, &spec.derive)
}

/// What `types` or `dates` asks for one column.
enum Conversion<'a> {
    Type(ColumnType),
    Date(DateFormat, &'a str),
}

/// The declared conversions of the columns read, checked: columns exist
/// (in `names`, every column after `rename`), formats are known, and no
/// column is in both `types` and `dates`.
fn conversion_jobs<'a>(
    df: &DataFrame,
    names: &[String],
    spec: &'a SourceSpec,
    origins: &Origins,
    wanted: &Wanted,
) -> Result<Vec<(&'a str, Conversion<'a>)>> {
    let exists = |name: &str, setting: &str| match spec.rename.get(name) {
        Some(new) if !names.iter().any(|n| n == name) => Err(Error::new(format!(
            "column `{name}` named in `{setting}` was renamed to `{new}`"
        ))
        .setting(setting)
        .hint(format!(
            "`{setting}` uses the names after `rename`: write `{new}`"
        ))),
        _ => find_column(names, name, setting)
            .map_err(|e| lacking_file(e, origins, wanted.names(name))),
    };
    let mut jobs = Vec::new();
    for (name, ty) in &spec.types {
        exists(name, "types")?;
        if spec.dates.contains_key(name) {
            return Err(
                Error::new(format!("column `{name}` is in both `types` and `dates`"))
                    .setting("dates")
                    .hint("declare a date column only in `dates`"),
            );
        }
        if df.column(name).is_ok() {
            jobs.push((name.as_str(), Conversion::Type(*ty)));
        }
    }
    for (name, setting) in &spec.dates {
        let format = DateFormat::from_setting(setting).map_err(|hint| {
            Error::new(format!(
                "unknown date format `{setting}` for column `{name}` in `dates`"
            ))
            .setting("dates")
            .hint(hint)
        })?;
        exists(name, "dates")?;
        if df.column(name).is_ok() {
            jobs.push((name.as_str(), Conversion::Date(format, setting.as_str())));
        }
    }
    Ok(jobs)
}

/// Keeps the rows for which every filter holds. Filters run one at a time
/// so that an error names the filter that failed.
pub fn apply_filters(df: DataFrame, filters: &[String]) -> Result<DataFrame> {
    Ok(filter_rows(df, filters)?.0)
}

/// [`apply_filters`], also telling which filter left no row (when the
/// table had rows before it).
pub fn filter_rows(mut df: DataFrame, filters: &[String]) -> Result<(DataFrame, Option<String>)> {
    let names = column_list(&df);
    let mut emptied_by = None;
    for filter in filters {
        let expr = parse_expression(filter, "filter", &names)?;
        let dtype = df
            .clone()
            .lazy()
            .select([expr.clone().alias("__filter__")])
            .collect_schema()
            .map_err(|e| expression_error(filter, "filter", &names, &e))?
            .get("__filter__")
            .cloned();
        if !matches!(dtype, Some(DataType::Boolean)) {
            let found = dtype.map_or("nothing".into(), |d| d.to_string());
            return Err(Error::new(format!(
                "filter `{filter}` is not a condition (it gives {found})"
            ))
            .setting("filters")
            .hint("write a yes/no test such as `Status <> 'Cancelled'` or `Qty > 0`"));
        }
        let before = df.height();
        df = df
            .lazy()
            .filter(expr)
            .collect()
            .map_err(|e| expression_error(filter, "filter", &names, &e))?;
        if before > 0 && df.height() == 0 {
            emptied_by = Some(filter.clone());
        }
    }
    Ok((df, emptied_by))
}

/// `df` with its columns renamed, and every column name after `rename`
/// (the header's names renamed).
fn rename_columns(
    mut df: DataFrame,
    spec: &SourceSpec,
    header: &[String],
) -> Result<(DataFrame, Vec<String>)> {
    let mut names = header.to_vec();
    for (old, new) in &spec.rename {
        find_column(&names, old, "rename")?;
        if old != new && names.iter().any(|n| n == new) {
            return Err(Error::new(format!(
                "`rename` turns `{old}` into `{new}`, but a column `{new}` already exists"
            ))
            .setting("rename")
            .hint("choose another new name, or rename the existing column too"));
        }
        for name in names.iter_mut().filter(|n| *n == old) {
            *name = new.clone();
        }
        if df.column(old).is_ok() {
            df.rename(old, PlSmallStr::from(new.as_str()))?;
        }
    }
    Ok((df, names))
}

/// An error unless `name` is one of `names`, listing them.
fn find_column(names: &[String], name: &str, setting: &str) -> Result<()> {
    if names.iter().any(|n| n == name) {
        return Ok(());
    }
    let listed: Vec<String> = names.iter().map(|c| format!("`{c}`")).collect();
    Err(Error::new(format!(
        "column `{name}` named in `{setting}` does not exist"
    ))
    .setting(setting)
    .hint(format!("available columns: {}", listed.join(", "))))
}

/// A missing column the report reads (`read`) is the data file's fault:
/// the error moves to the file (its header line, for CSV; a source's files
/// share one header, so the first stands for all). Otherwise the setting
/// that names it is at fault and the error stays as it is.
fn lacking_file(err: Error, origins: &Origins, read: bool) -> Error {
    let Some(file) = origins.first_file().filter(|_| read) else {
        return err;
    };
    let hint = format!(
        "{}; add the column to the file, or fix the name in the settings",
        err.hint_text().unwrap_or_default()
    );
    let err = err
        .append("the report reads it, but the data file lacks it")
        .replace_hint(hint)
        .at(file);
    if origins.first_has_header_line() {
        err.line(1)
    } else {
        err
    }
}

fn column_list(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|c| format!("`{c}`"))
        .collect()
}

/// Adds the derived columns in order; each may use the ones before it.
fn derive_columns(mut df: DataFrame, derives: &[DeriveSpec]) -> Result<DataFrame> {
    for d in derives {
        let names = column_list(&df);
        let expr = parse_expression(&d.expr, "derive", &names)?;
        df = df
            .lazy()
            .with_column(expr.alias(d.name.as_str()))
            .collect()
            .map_err(|e| {
                expression_error(&d.expr, "derive", &names, &e)
                    .context(format!("derived column `{}`", d.name))
            })?;
    }
    Ok(df)
}

/// Checks that every `derive` expression of `spec` parses, for a source
/// whose rows are never read here (its analyses pushed down to a
/// database): a typo in one is still an error, not a setting ignored.
pub fn check_derive_syntax(spec: &SourceSpec) -> Result<()> {
    for d in &spec.derive {
        // The expression itself is of no use without the rows.
        let _expr = parse_expression(&d.expr, "derive", &[])
            .map_err(|e| e.context(format!("derived column `{}`", d.name)))?;
    }
    Ok(())
}

fn parse_expression(text: &str, setting: &str, names: &[String]) -> Result<Expr> {
    sql_expr(text).map_err(|e| expression_error(text, setting, names, &e))
}

fn expression_error(text: &str, setting: &str, names: &[String], err: &PolarsError) -> Error {
    // The message says "the `filter` expression"; the key is `filters`.
    let key = if setting == "filter" {
        "filters"
    } else {
        setting
    };
    let reason = polars_reason(err);
    let columns = match names {
        [] => String::new(),
        names => format!("available columns: {}; ", names.join(", ")),
    };
    Error::new(format!("cannot use the `{setting}` expression `{text}`: {reason}")).setting(key).hint(format!(
        "{columns}write SQL, with names containing spaces in double quotes (\"Sales Channel\") and text in single quotes ('Cancelled')"
    ))
}

/// A polars error as one line for users: without the query plan polars
/// appends, and without its list of columns (our hints list them).
pub fn polars_reason(err: &PolarsError) -> String {
    let text = err.to_string();
    let text = text.split("Resolved plan").next().unwrap_or_default();
    let mut reason = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(start) = reason.find("; valid columns: [")
        && let Some(len) = reason[start..].find(']')
    {
        reason.replace_range(start..=start + len, "");
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::convert::text_frame;
    use std::path::Path;

    fn spec(toml_text: &str) -> SourceSpec {
        toml::from_str(&format!(
            "name = \"sales\"\npath = \"sales.csv\"\n{toml_text}"
        ))
        .unwrap()
    }

    fn origins(rows: usize) -> Origins {
        let mut o = Origins::default();
        o.push(Path::new("sales.csv"), rows, true);
        o
    }

    fn header() -> Vec<String> {
        ["Date", "Amt", "Qty", "Status"].map(String::from).to_vec()
    }

    fn sales() -> DataFrame {
        text_frame(&[
            ("Date", &["04-30-22", "05-01-22", "05-02-22"]),
            ("Amt", &["$5,320 ", "", "$1,000.50"]),
            ("Qty", &["2", "1", "3"]),
            ("Status", &["Shipped", "Cancelled", "Shipped"]),
        ])
    }

    const PIPELINE: &str = r#"
        derive = [
            { name = "unit", expr = "Amount / Qty" },
            { name = "double_unit", expr = "unit * 2" },
        ]
        filters = ["Status <> 'Cancelled'", "Qty >= 2"]
        [rename]
        Amt = "Amount"
        [types]
        Amount = "money"
        [dates]
        Date = "MM-DD-YY"
    "#;

    #[test]
    fn rename_types_dates_derive_then_filter() {
        let s = spec(PIPELINE);
        let df = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true).unwrap();
        // Qty was inferred as an integer; unit = Amount / Qty:
        // 5320 / 2 = 2660, null / 1 = null, 1000.5 / 3 = 333.5.
        let unit: Vec<Option<f64>> = df.column("unit").unwrap().f64().unwrap().iter().collect();
        assert_eq!(unit, [Some(2660.0), None, Some(333.5)]);
        let kept = apply_filters(df, &s.filters).unwrap();
        // Row 2 is cancelled; rows 1 and 3 have Qty 2 and 3.
        assert_eq!(kept.height(), 2);
        let double: Vec<Option<f64>> = kept
            .column("double_unit")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(double, [Some(5320.0), Some(667.0)]);
        let dates = kept
            .column("Date")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        let dates: Vec<Option<&str>> = dates.str().unwrap().iter().collect();
        assert_eq!(dates, [Some("2022-04-30"), Some("2022-05-02")]);
    }

    #[test]
    fn rename_of_an_unknown_column_lists_the_columns() {
        let s = spec("[rename]\nAmnt = \"Amount\"");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column `Amnt` named in `rename` does not exist"),
            "{err}"
        );
        assert!(err.contains("`Date`, `Amt`, `Qty`, `Status`"), "{err}");
    }

    #[test]
    fn unknown_date_format_is_explained() {
        let s = spec("[dates]\nDate = \"MM.DD\"");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown date format `MM.DD` for column `Date`"),
            "{err}"
        );
        assert!(err.contains("MM-DD-YY"), "{err}");
    }

    #[test]
    fn filter_on_an_unknown_column_names_expression_and_columns() {
        let df = prepare(
            sales(),
            &spec(""),
            &header(),
            &origins(3),
            &Wanted::All,
            true,
        )
        .unwrap();
        let err = apply_filters(df, &["Stat <> 'Cancelled'".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`filter` expression `Stat <> 'Cancelled'`"),
            "{err}"
        );
        assert!(
            err.contains("available columns: `Date`, `Amt`, `Qty`, `Status`"),
            "{err}"
        );
    }

    #[test]
    fn filter_that_fails_while_running_is_named() {
        let df = prepare(
            sales(),
            &spec(""),
            &header(),
            &origins(3),
            &Wanted::All,
            true,
        )
        .unwrap();
        let filters = ["Qty > 0".to_owned(), "Qty > 'a'".to_owned()];
        let err = apply_filters(df, &filters).unwrap_err().to_string();
        assert!(err.contains("`filter` expression `Qty > 'a'`"), "{err}");
    }

    #[test]
    fn filter_must_be_a_condition() {
        let df = prepare(
            sales(),
            &spec(""),
            &header(),
            &origins(3),
            &Wanted::All,
            true,
        )
        .unwrap();
        let err = apply_filters(df, &["Qty + 1".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("filter `Qty + 1` is not a condition"), "{err}");
    }

    #[test]
    fn derive_syntax_is_checked_without_the_rows() {
        let ok = spec("derive = [{ name = \"x\", expr = \"Amount * 2\" }]");
        assert!(check_derive_syntax(&ok).is_ok());
        let broken = spec("derive = [{ name = \"x\", expr = \"Qty *\" }]");
        let err = check_derive_syntax(&broken).unwrap_err().to_string();
        assert!(err.contains("`derive` expression `Qty *`"), "{err}");
        assert!(err.contains("derived column `x`"), "{err}");
        assert!(!err.contains("available columns"), "{err}");
    }

    #[test]
    fn derive_errors_name_the_expression() {
        let s = spec("derive = [{ name = \"x\", expr = \"Amount * 2\" }]");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("derived column `x`"), "{err}");
        assert!(
            err.contains("`Amount * 2`") && err.contains("`Amt`"),
            "{err}"
        );
        let s = spec("derive = [{ name = \"x\", expr = \"Qty *\" }]");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`derive` expression `Qty *`"), "{err}");
    }

    #[test]
    fn types_use_the_new_names() {
        let s = spec("[rename]\nAmt = \"Amount\"\n[types]\nAmt = \"money\"");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`Amt` named in `types` was renamed to `Amount`"),
            "{err}"
        );
    }

    #[test]
    fn a_column_in_both_types_and_dates_is_refused() {
        let s = spec("[types]\nDate = \"string\"\n[dates]\nDate = \"MM-DD-YY\"");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column `Date` is in both `types` and `dates`"),
            "{err}"
        );
    }

    #[test]
    fn rename_onto_an_existing_column_is_refused() {
        let s = spec("[rename]\nAmt = \"Qty\"");
        let err = prepare(sales(), &s, &header(), &origins(3), &Wanted::All, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a column `Qty` already exists"), "{err}");
    }
}

//! Id columns (customers, orders, products) as one small integer per row,
//! with the distinct values kept as a column in their own type: no text is
//! made per value until a table shows it, and ids sort by value (numeric
//! columns) or by text without parsing anything. Millions of customers cost
//! a code each, not a string each.

use crate::data::columns;
use crate::error::{Error, Result};
use polars::prelude::{Column, DataType, IdxSize, Int64Chunked, PlHashMap};
use std::hash::Hash;

/// A column as one code per row (`None` for nulls), codes in order of
/// first appearance, and the distinct values in code order.
#[derive(Clone, Debug)]
pub(crate) struct Ids {
    pub codes: Vec<Option<u32>>,
    distinct: Column,
    name: String,
    setting: String,
}

/// Read column `name` (asked for by `setting`) as ids. Values are hashed as
/// they are stored (text as text, numbers by value, floats by bit pattern
/// with one NaN), so equal values share a code.
pub(crate) fn ids(df: &polars::prelude::DataFrame, name: &str, setting: &str) -> Result<Ids> {
    let col = columns::column(df, name, setting)?;
    let (codes, firsts) = code_column(col, name, setting)?;
    let distinct = col.take_slice(&firsts)?;
    Ok(Ids {
        codes,
        distinct,
        name: name.to_string(),
        setting: setting.to_string(),
    })
}

/// Column `name` as one key per row that is equal exactly when the values
/// are (`None` for nulls): integers and dates as themselves, floats by bit
/// pattern, other types as codes. For distinct counts of (customer, order)
/// pairs without a hash table of millions of order ids.
pub(crate) fn keys(
    df: &polars::prelude::DataFrame,
    name: &str,
    setting: &str,
) -> Result<Vec<Option<u64>>> {
    let col = columns::column(df, name, setting)?;
    Ok(match col.dtype() {
        d if d.is_integer() || d.is_temporal() => {
            let physical = col.to_physical_repr().cast(&DataType::Int64)?;
            physical
                .i64()?
                .iter()
                .map(|v| v.map(|v| v as u64))
                .collect()
        }
        DataType::Float32 | DataType::Float64 => float_bits(col)?.collect(),
        _ => {
            let (codes, _) = code_column(col, name, setting)?;
            codes.into_iter().map(|c| c.map(u64::from)).collect()
        }
    })
}

impl Ids {
    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.distinct.len()
    }

    /// Whether the ids are numbers (and so sort by value).
    pub fn numeric(&self) -> bool {
        self.distinct.dtype().is_primitive_numeric()
    }

    /// The codes in id order: by value for a numeric column, by text
    /// otherwise (distinct values never tie).
    pub fn sorted(&self) -> Result<Vec<u32>> {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        let dtype = self.distinct.dtype();
        if dtype.is_integer() {
            let values = self.distinct.cast(&DataType::Int64)?;
            let values: Vec<i64> = values
                .i64()?
                .iter()
                .map(Option::unwrap_or_default)
                .collect();
            order.sort_unstable_by_key(|&c| values[c as usize]);
        } else if dtype.is_float() {
            let values = self.distinct.cast(&DataType::Float64)?;
            let values: Vec<f64> = values
                .f64()?
                .iter()
                .map(Option::unwrap_or_default)
                .collect();
            order.sort_unstable_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
        } else {
            let text = self.text_column()?;
            let text = text.str()?;
            let values: Vec<&str> = text.iter().map(Option::unwrap_or_default).collect();
            order.sort_unstable_by(|&a, &b| values[a as usize].cmp(values[b as usize]));
        }
        Ok(order)
    }

    /// Each code's place in id order (`sorted` inverted).
    pub fn ranks(&self) -> Result<Vec<u32>> {
        let mut ranks = vec![0u32; self.len()];
        for (rank, code) in self.sorted()?.into_iter().enumerate() {
            ranks[code as usize] = rank as u32;
        }
        Ok(ranks)
    }

    /// The text of every distinct value, in code order.
    pub fn texts(&self) -> Result<Vec<String>> {
        let text = self.text_column()?;
        Ok(text
            .str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    }

    /// The text of the values of `codes`, in that order, as a text column
    /// named `name`.
    pub fn text_of(&self, codes: &[u32], name: &str) -> Result<Column> {
        let picked: Vec<IdxSize> = codes.iter().map(|&c| c as IdxSize).collect();
        let text = as_text(
            &self.distinct.take_slice(&picked)?,
            &self.name,
            &self.setting,
        )?;
        Ok(text.with_name(name.into()))
    }

    /// The text of one value.
    pub fn text(&self, code: u32) -> Result<String> {
        let text = as_text(
            &self.distinct.slice(i64::from(code), 1),
            &self.name,
            &self.setting,
        )?;
        Ok(text.str()?.get(0).unwrap_or_default().to_owned())
    }

    fn text_column(&self) -> Result<Column> {
        as_text(&self.distinct, &self.name, &self.setting)
    }
}

/// One code per row of `col` in order of first appearance, and the row
/// where each code first appears; any type (booleans as themselves, others
/// by their text).
pub(crate) fn code_column(
    col: &Column,
    name: &str,
    setting: &str,
) -> Result<(Vec<Option<u32>>, Vec<IdxSize>)> {
    Ok(match col.dtype() {
        DataType::String => code_values(col.str()?.iter()),
        DataType::Boolean => code_values(col.bool()?.iter()),
        DataType::Float32 | DataType::Float64 => code_values(float_bits(col)?),
        d if d.is_integer() || d.is_temporal() => {
            let physical = col.to_physical_repr().cast(&DataType::Int64)?;
            code_integers(physical.i64()?)
        }
        _ => {
            let text = as_text(col, name, setting)?;
            code_values(text.str()?.iter())
        }
    })
}

/// Floats by bit pattern, as their texts differ (`-0.0`); one NaN.
fn float_bits(col: &Column) -> Result<impl Iterator<Item = Option<u64>>> {
    let floats = col.cast(&DataType::Float64)?;
    let values: Vec<Option<u64>> = floats
        .f64()?
        .iter()
        .map(|v| v.map(|x| if x.is_nan() { f64::NAN } else { x }.to_bits()))
        .collect();
    Ok(values.into_iter())
}

pub(crate) fn as_text(col: &Column, name: &str, setting: &str) -> Result<Column> {
    col.cast(&DataType::String).map_err(|e| {
        Error::new(format!(
            "column `{name}` (setting `{setting}`) cannot be read as text"
        ))
        .setting(setting)
        .caused_by(e)
    })
}

/// `code_values` for integers. Ids that are nearly dense (a span of values
/// at most twice the rows, as numbered customers and orders are) index an
/// array of codes instead of a hash table: four bytes per possible value
/// instead of a hashed entry per distinct one (3.8M customers: 15 MB
/// against about 140 MB, and no rehashing as the table grows).
fn code_integers(values: &Int64Chunked) -> (Vec<Option<u32>>, Vec<IdxSize>) {
    const NONE: u32 = u32::MAX;
    let bounds = values.iter().flatten().fold(None, |b, v| match b {
        None => Some((v, v)),
        Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
    });
    let Some((min, max)) = bounds else {
        return code_values(values.iter());
    };
    let Some(span) = dense_span(min, max, values.len()) else {
        return code_values(values.iter());
    };
    let mut slots = vec![NONE; span];
    let mut firsts: Vec<IdxSize> = Vec::new();
    let codes = values
        .iter()
        .enumerate()
        .map(|(row, value)| {
            // In range by construction: min <= value <= max.
            let slot = &mut slots[(value? - min) as usize];
            if *slot == NONE {
                *slot = firsts.len() as u32;
                firsts.push(row as IdxSize);
            }
            Some(*slot)
        })
        .collect();
    (codes, firsts)
}

/// The number of slots an array of codes needs for values in `min..=max`
/// over `rows` rows, or `None` when the values are too spread out for one
/// (more than twice the rows, with some slack for short columns) and a hash
/// table is cheaper.
fn dense_span(min: i64, max: i64, rows: usize) -> Option<usize> {
    let span = i128::from(max) - i128::from(min) + 1;
    let dense = span <= 2 * rows as i128 + 1024 && span < i128::from(u32::MAX);
    dense.then_some(span as usize)
}

/// One code per value in order of first appearance (`None` for nulls), and
/// the row where each code first appears.
fn code_values<T: Hash + Eq>(
    values: impl Iterator<Item = Option<T>>,
) -> (Vec<Option<u32>>, Vec<IdxSize>) {
    let mut lookup: PlHashMap<T, u32> = PlHashMap::default();
    let mut firsts: Vec<IdxSize> = Vec::new();
    let codes = values
        .enumerate()
        .map(|(row, value)| {
            let value = value?;
            Some(*lookup.entry(value).or_insert_with(|| {
                firsts.push(row as IdxSize);
                (firsts.len() - 1) as u32
            }))
        })
        .collect();
    (codes, firsts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{DataFrame, IntoColumn, NamedFrom, Series};

    fn frame(column: Series) -> DataFrame {
        DataFrame::new(column.len(), vec![column.into_column()]).unwrap()
    }

    #[test]
    fn numeric_ids_sort_by_value_and_text_ids_by_text() {
        let df = frame(Series::new(
            "id".into(),
            [Some(10i64), Some(9), None, Some(10), Some(-3)],
        ));
        let numbers = ids(&df, "id", "customer").unwrap();
        assert_eq!(
            numbers.codes,
            vec![Some(0), Some(1), None, Some(0), Some(2)]
        );
        assert!(numbers.numeric());
        // -3 < 9 < 10, whereas the texts would put "10" before "9".
        assert_eq!(numbers.sorted().unwrap(), vec![2, 1, 0]);
        assert_eq!(numbers.ranks().unwrap(), vec![2, 1, 0]);
        assert_eq!(numbers.text(2).unwrap(), "-3");
        let texts = numbers.text_of(&[1, 0], "customer").unwrap();
        assert_eq!(texts.name().as_str(), "customer");
        let texts: Vec<_> = texts.str().unwrap().iter().flatten().collect();
        assert_eq!(texts, vec!["9", "10"]);

        let df = frame(Series::new("id".into(), ["b", "a10", "a9"]));
        let texts = ids(&df, "id", "customer").unwrap();
        assert!(!texts.numeric());
        assert_eq!(texts.sorted().unwrap(), vec![1, 2, 0]);
        assert_eq!(texts.texts().unwrap(), vec!["b", "a10", "a9"]);
    }

    #[test]
    fn dense_and_sparse_integers_get_codes_in_order_of_first_appearance() {
        // Dense (an array of codes), with nulls and negative values; sparse
        // (a hash table): the same codes either way.
        let dense = Int64Chunked::new(
            "id".into(),
            &[Some(-2), Some(5), None, Some(-2), Some(0), Some(5)],
        );
        let sparse = Int64Chunked::new(
            "id".into(),
            &[
                Some(i64::MIN),
                Some(i64::MAX),
                None,
                Some(i64::MIN),
                Some(0),
                Some(i64::MAX),
            ],
        );
        let want = (
            vec![Some(0), Some(1), None, Some(0), Some(2), Some(1)],
            vec![0, 1, 4],
        );
        // Which path each column takes: -2..=5 is 8 slots; the full i64
        // range is far too spread out.
        assert_eq!(dense_span(-2, 5, dense.len()), Some(8));
        assert_eq!(dense_span(i64::MIN, i64::MAX, sparse.len()), None);
        assert_eq!(dense_span(0, 2 * 10_000 + 1024, 10_000), None);
        assert_eq!(dense_span(0, 2 * 10_000 + 1023, 10_000), Some(21_024));
        assert_eq!(code_integers(&dense), want);
        assert_eq!(code_integers(&sparse), want);
        let nulls = Int64Chunked::new("id".into(), &[None::<i64>, None]);
        assert_eq!(code_integers(&nulls), (vec![None, None], vec![]));
    }

    #[test]
    fn keys_are_equal_exactly_when_values_are() {
        let df = frame(Series::new(
            "o".into(),
            [Some(7i64), None, Some(7), Some(8)],
        ));
        let k = keys(&df, "o", "order_id").unwrap();
        assert_eq!(k[0], k[2]);
        assert_ne!(k[0], k[3]);
        assert_eq!(k[1], None);
        let df = frame(Series::new("o".into(), [0.0f64, -0.0, f64::NAN, f64::NAN]));
        let k = keys(&df, "o", "order_id").unwrap();
        assert_ne!(k[0], k[1]);
        assert_eq!(k[2], k[3]);
        let df = frame(Series::new("o".into(), ["x", "y", "x"]));
        let k = keys(&df, "o", "order_id").unwrap();
        assert_eq!(k[0], k[2]);
        assert_ne!(k[0], k[1]);
    }
}

//! Display names of result columns in the reader's language: one table of
//! the built-in analyses' column, series and dropdown names in Indonesian
//! and English, a report's own `labels` over them, a humanised fallback for
//! any other column (never raw snake_case), the words for booleans, and which
//! columns hold money or percentages.

use crate::config::Language;
use std::collections::BTreeMap;

/// `(column, Indonesian, English)` for every column the built-in analyses
/// write, and a few common data columns they echo (`category`, `country`).
/// Kept sorted by column name (a test checks it).
const COLUMN_NAMES: &[(&str, &str, &str)] = &[
    ("action", "Tindakan", "Action"),
    ("active_customers", "Pelanggan aktif", "Active customers"),
    (
        "all_products_mean",
        "Rata-rata semua produk",
        "Mean of all products",
    ),
    ("amount", "Nilai transaksi", "Amount"),
    (
        "antecedent_support",
        "Support anteseden",
        "Antecedent support",
    ),
    ("antecedents", "Jika membeli", "If bought"),
    ("aov", "Nilai rata-rata pesanan", "Average order value"),
    (
        "avg_qty",
        "Rata-rata unit per pesanan",
        "Average units per order",
    ),
    ("baseline", "Pembanding", "Baseline"),
    ("below", "Di bawah rata-rata", "Below the mean"),
    ("category", "Kategori", "Category"),
    ("checked", "Baris diperiksa", "Rows checked"),
    ("cluster", "Klaster", "Cluster"),
    ("cohort", "Kohort", "Cohort"),
    ("confidence", "Confidence", "Confidence"),
    (
        "consequent_support",
        "Support konsekuen",
        "Consequent support",
    ),
    ("consequents", "Maka membeli", "Then bought"),
    ("conviction", "Conviction", "Conviction"),
    (
        "conviction_infinite",
        "Conviction tak hingga",
        "Infinite conviction",
    ),
    ("count", "Jumlah", "Count"),
    ("country", "Negara", "Country"),
    ("customer", "Pelanggan", "Customer"),
    ("customer_share", "Porsi pelanggan", "Customer share"),
    ("customers", "Pelanggan", "Customers"),
    ("end", "Akhir", "End"),
    ("examples", "Contoh", "Examples"),
    ("f", "F", "F"),
    ("failing_keys", "Kunci yang gagal", "Failing keys"),
    ("failures", "Gagal", "Failures"),
    ("first_order", "Pesanan pertama", "First order"),
    ("focus", "Fokus", "Focus"),
    ("frequency", "Frekuensi", "Frequency"),
    ("from", "Dari", "From"),
    ("index", "Indeks", "Index"),
    ("inertia", "Inersia", "Inertia"),
    ("itemset", "Kumpulan barang", "Itemset"),
    ("k", "Jumlah klaster (k)", "Number of clusters (k)"),
    ("kept", "Ditampilkan", "Shown"),
    ("label", "Label", "Label"),
    ("last_order", "Pesanan terakhir", "Last order"),
    ("length", "Lama (bulan)", "Length (months)"),
    ("leverage", "Leverage", "Leverage"),
    ("lift", "Lift", "Lift"),
    ("line_share", "Porsi baris", "Line share"),
    ("lines", "Baris pesanan", "Order lines"),
    ("m", "M", "M"),
    ("mean_amount", "Rata-rata nilai", "Mean amount"),
    ("mean_frequency", "Rata-rata frekuensi", "Mean frequency"),
    (
        "mean_monetary",
        "Rata-rata nilai belanja",
        "Mean monetary value",
    ),
    (
        "mean_recency",
        "Rata-rata recency (hari)",
        "Mean recency (days)",
    ),
    ("metric", "Metrik", "Metric"),
    ("missing_amount", "Tanpa nilai transaksi", "Missing amount"),
    ("monetary", "Nilai belanja", "Monetary value"),
    ("month", "Bulan", "Month"),
    ("month_index", "Bulan ke-", "Month index"),
    ("months", "Bulan", "Months"),
    ("name", "Nama", "Name"),
    ("new_customers", "Pelanggan baru", "New customers"),
    ("order_share", "Porsi pesanan", "Order share"),
    ("orders", "Pesanan", "Orders"),
    ("period", "Periode", "Period"),
    ("product", "Produk", "Product"),
    ("qty", "Unit", "Units"),
    ("qty_per_line", "Unit per baris", "Units per line"),
    ("qty_share", "Porsi unit", "Unit share"),
    ("r", "R", "R"),
    ("rank", "Peringkat", "Rank"),
    ("rate", "Tingkat retensi", "Retention rate"),
    ("ratio", "Rasio", "Ratio"),
    ("recency", "Recency (hari)", "Recency (days)"),
    ("recommended", "Rekomendasi", "Recommended"),
    ("retained", "Pelanggan bertahan", "Retained customers"),
    ("revenue", "Pendapatan", "Revenue"),
    ("revenue_share", "Porsi pendapatan", "Revenue share"),
    ("rows", "Baris", "Rows"),
    ("rule", "Aturan", "Rule"),
    ("score", "Skor", "Score"),
    ("segment", "Segmen", "Segment"),
    ("share", "Porsi", "Share"),
    ("silhouette", "Silhouette", "Silhouette"),
    ("size", "Ukuran", "Size"),
    ("sku", "SKU", "SKU"),
    ("start", "Awal", "Start"),
    ("style", "Model", "Style"),
    ("support", "Support", "Support"),
    ("to", "Ke", "To"),
    ("total", "Total", "Total"),
    ("value", "Nilai", "Value"),
    ("weekday", "Hari", "Weekday"),
    ("weekday_share", "Porsi hari kerja", "Weekday share"),
];

/// Columns of built-in analyses that hold money in the report's currency.
const MONEY_COLUMNS: &[&str] = &["aov", "mean_amount", "mean_monetary", "monetary", "revenue"];

/// Columns of built-in analyses that hold ratios shown as percentages,
/// besides those whose name says so (see [`is_percent`]).
const PERCENT_COLUMNS: &[&str] = &[
    "antecedent_support",
    "confidence",
    "consequent_support",
    "support",
];

/// The words for a boolean cell.
pub fn bool_text(value: bool, language: Language) -> &'static str {
    match (value, language) {
        (true, Language::Id) => "Ya",
        (false, Language::Id) => "Tidak",
        (true, Language::En) => "Yes",
        (false, Language::En) => "No",
    }
}

/// The built-in display name of `column`, if wawasan knows it: an entry of
/// the table (also for a data column spelled `Category` or `Unit Price`), a
/// retention month `m3` ("Bulan 3"), a month-on-month change `revenue_mom`
/// or a mean `mean_x` of a known or humanised column.
pub fn builtin(column: &str, language: Language) -> Option<String> {
    let pick = |id: &str, en: &str| match language {
        Language::Id => id.to_string(),
        Language::En => en.to_string(),
    };
    let find = |key: &str| {
        COLUMN_NAMES
            .binary_search_by(|(k, _, _)| (*k).cmp(key))
            .ok()
    };
    let spelled = column.trim().to_lowercase().replace(' ', "_");
    if let Some(i) = find(column).or_else(|| find(&spelled)) {
        let (_, id, en) = COLUMN_NAMES[i];
        return Some(pick(id, en));
    }
    if let Some(n) = column.strip_prefix('m')
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(pick(&format!("Bulan {n}"), &format!("Month {n}")));
    }
    if let Some(base) = column.strip_suffix("_mom")
        && !base.is_empty()
    {
        let base = display_name(base, language);
        return Some(pick(
            &format!("{base} (vs bulan lalu)"),
            &format!("{base} (vs previous month)"),
        ));
    }
    if let Some(base) = column.strip_prefix("mean_")
        && !base.is_empty()
    {
        let base = lower_first(&display_name(base, language));
        return Some(pick(&format!("Rata-rata {base}"), &format!("Mean {base}")));
    }
    None
}

/// The display name of `column` in `language`: the built-in name, else the
/// column humanised.
pub fn display_name(column: &str, language: Language) -> String {
    builtin(column, language).unwrap_or_else(|| humanise(column))
}

/// A column name as words: `_` become spaces, the first letter is upper
/// case, and a doubled word (Indonesian reduplication, `rata_rata`) is
/// joined by a hyphen: `rata_rata_faktur` -> `Rata-rata faktur`. A name
/// without underscores keeps its spelling apart from the first letter.
pub fn humanise(column: &str) -> String {
    // Only identifier-like names are rewritten: any other header (with
    // punctuation, markup, quotes) is the data's own text and shown as is.
    let identifier = column
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == ' ');
    if !identifier {
        return column.to_string();
    }
    let words: Vec<&str> = column.split(['_', ' ']).filter(|w| !w.is_empty()).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if i + 1 < words.len() && words[i].eq_ignore_ascii_case(words[i + 1]) {
            out.push(format!("{}-{}", words[i], words[i + 1]));
            i += 2;
        } else {
            out.push(words[i].to_string());
            i += 1;
        }
    }
    let text = out.join(" ");
    if text.is_empty() {
        return column.to_string();
    }
    upper_first(&text)
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The display name of `column` as a word inside a sentence: `Category` ->
/// `kategori` (id); an acronym (`SKU`) keeps its capitals.
pub fn in_sentence(column: &str, language: Language) -> String {
    lower_first(&display_name(column, language))
}

/// Lower-case the first letter unless the first word is an acronym.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(_), Some(b)) if b.is_uppercase() => text.to_string(),
        (Some(a), _) => a.to_lowercase().chain(text.chars().skip(1)).collect(),
        _ => String::new(),
    }
}

/// Does `column` hold money, as a built-in analysis writes it?
pub fn is_money(column: &str) -> bool {
    MONEY_COLUMNS.contains(&column)
}

/// Does `column` hold a ratio to show as a percentage? Built-in ratio
/// columns, and any column whose name contains `share`, `rate` or `pct` or
/// ends in `_mom`, or a retention month `m0`, `m1`...
pub fn is_percent(column: &str) -> bool {
    let lower = column.to_lowercase();
    PERCENT_COLUMNS.contains(&column)
        || lower.contains("share")
        || lower.contains("rate")
        || lower.contains("pct")
        || lower.ends_with("_mom")
        || lower
            .strip_prefix('m')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Display names for one report: its `labels` over the built-in names, over
/// the humanised column name.
#[derive(Clone, Copy, Debug)]
pub struct ColumnNames<'a> {
    pub language: Language,
    /// The report's `labels` (column -> display name).
    pub labels: Option<&'a BTreeMap<String, String>>,
}

impl<'a> ColumnNames<'a> {
    pub fn new(language: Language, labels: &'a BTreeMap<String, String>) -> Self {
        ColumnNames {
            language,
            labels: Some(labels),
        }
    }

    /// Built-in names only, no report labels.
    pub fn builtin(language: Language) -> Self {
        ColumnNames {
            language,
            labels: None,
        }
    }

    /// The report's label for `column`, if it gives one.
    pub fn label(&self, column: &str) -> Option<&'a str> {
        self.labels.and_then(|l| l.get(column)).map(String::as_str)
    }

    /// The display name of `column`.
    pub fn get(&self, column: &str) -> String {
        match self.label(column) {
            Some(label) => label.to_string(),
            None => display_name(column, self.language),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_unique_and_complete_in_both_languages() {
        for pair in COLUMN_NAMES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (key, id, en) in COLUMN_NAMES {
            assert!(!id.trim().is_empty() && !en.trim().is_empty(), "{key}");
            assert!(!id.contains('_') && !en.contains('_'), "{key}");
        }
    }

    #[test]
    fn known_columns_read_in_the_report_language() {
        assert_eq!(
            display_name("revenue_share", Language::Id),
            "Porsi pendapatan"
        );
        assert_eq!(display_name("revenue_share", Language::En), "Revenue share");
        assert_eq!(display_name("customers", Language::Id), "Pelanggan");
        assert_eq!(display_name("m3", Language::Id), "Bulan 3");
        assert_eq!(display_name("m12", Language::En), "Month 12");
        assert_eq!(
            display_name("orders_mom", Language::Id),
            "Pesanan (vs bulan lalu)"
        );
        assert_eq!(display_name("mean_boxes", Language::En), "Mean boxes");
        assert_eq!(display_name("mean_ABC_x", Language::Id), "Rata-rata ABC x");
    }

    #[test]
    fn other_columns_are_humanised_never_snake_case() {
        assert_eq!(display_name("kode_barang", Language::Id), "Kode barang");
        assert_eq!(
            display_name("rata_rata_faktur", Language::Id),
            "Rata-rata faktur"
        );
        assert_eq!(
            display_name("Amount per Box", Language::En),
            "Amount per Box"
        );
        assert_eq!(humanise("qty__total_"), "Qty total");
        assert_eq!(humanise("négara"), "Négara");
        assert_eq!(humanise("_"), "_");
        // A header that is not an identifier is the data's text: kept.
        let markup = "<i onmouseover=\"window.__pwn=1\">Note</i>";
        assert_eq!(humanise(markup), markup);
        assert_eq!(humanise("net_sales (IDR)"), "net_sales (IDR)");
        // `m` alone and `mx` are no retention month.
        assert_eq!(display_name("mx", Language::En), "Mx");
    }

    #[test]
    fn data_columns_spelled_otherwise_find_their_names() {
        assert_eq!(display_name("Category", Language::Id), "Kategori");
        assert_eq!(display_name("Country", Language::Id), "Negara");
        assert_eq!(display_name("SKU", Language::En), "SKU");
        assert_eq!(in_sentence("Category", Language::Id), "kategori");
        assert_eq!(in_sentence("SKU", Language::Id), "SKU");
    }

    #[test]
    fn report_labels_win_over_builtin_names() {
        let labels: BTreeMap<String, String> = [
            ("revenue".to_string(), "Omzet".to_string()),
            ("kode_barang".to_string(), "SKU".to_string()),
        ]
        .into();
        let names = ColumnNames::new(Language::Id, &labels);
        assert_eq!(names.get("revenue"), "Omzet");
        assert_eq!(names.get("kode_barang"), "SKU");
        assert_eq!(names.get("orders"), "Pesanan");
        assert_eq!(ColumnNames::builtin(Language::En).get("revenue"), "Revenue");
    }

    #[test]
    fn booleans_read_as_words() {
        assert_eq!(bool_text(true, Language::Id), "Ya");
        assert_eq!(bool_text(false, Language::Id), "Tidak");
        assert_eq!(bool_text(true, Language::En), "Yes");
        assert_eq!(bool_text(false, Language::En), "No");
    }

    #[test]
    fn money_and_percent_columns() {
        assert!(is_money("revenue") && is_money("aov") && !is_money("orders"));
        for c in [
            "share",
            "revenue_share",
            "rate",
            "orders_mom",
            "m0",
            "support",
        ] {
            assert!(is_percent(c), "{c}");
        }
        for c in ["m", "mean_amount", "orders", "lift"] {
            assert!(!is_percent(c), "{c}");
        }
    }
}

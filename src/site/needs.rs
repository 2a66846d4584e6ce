//! Which columns of its sources a report reads, so that nothing else is
//! parsed: every word of its analysis settings (a column name, or not) and
//! every name its SQL queries use. A query that selects `*` from a source
//! reads all of it. The words are a superset of the columns used, matched
//! in any letter case; the source's own `derive` and `filters` add theirs
//! when it is loaded.

use crate::content::Report;
use crate::data::Wanted;
use crate::data::sql::referenced_names;
use std::collections::{BTreeMap, BTreeSet};

/// The columns each source of `report` must provide, by source name.
pub fn wanted_columns(report: &Report) -> BTreeMap<String, Wanted> {
    let mut words = analysis_words(&report.front_matter);
    let mut read_whole: BTreeSet<String> = BTreeSet::new();
    for (_, query) in report.queries() {
        let (names, star) = referenced_names(&query.sql);
        if star {
            read_whole.extend(names.iter().map(|n| n.to_lowercase()));
        }
        words.extend(names);
    }
    // Pages generated per value read their key from their tables.
    for for_each in report.pages.iter().filter_map(|p| p.for_each.as_ref()) {
        words.insert(for_each.key.clone());
        if let Some(sort) = &for_each.sort {
            words.insert(sort.trim_start_matches('-').trim().to_string());
        }
    }
    report
        .meta
        .sources
        .iter()
        .map(|source| {
            let wanted = if read_whole.contains(&source.name.to_lowercase()) {
                Wanted::All
            } else {
                Wanted::named(words.iter().map(String::as_str))
            };
            (source.name.clone(), wanted)
        })
        .collect()
}

/// Every string of the `[analyses.*]` settings, and the parts of dotted
/// ones (`orders.user_id` names table `orders` and column `user_id`).
fn analysis_words(front_matter: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    if let Ok(table) = front_matter.parse::<toml::Table>()
        && let Some(analyses) = table.get("analyses")
    {
        collect_strings(analyses, &mut words);
    }
    words
}

fn collect_strings(value: &toml::Value, out: &mut BTreeSet<String>) {
    match value {
        toml::Value::String(s) => {
            out.insert(s.clone());
            if let Some((table, column)) = s.split_once('.') {
                out.insert(table.to_string());
                out.insert(column.to_string());
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_settings_and_queries_name_the_columns() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("r");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("_index.md"),
            "+++\ntitle = \"R\"\n[[sources]]\nname = \"sales\"\npath = \"s.csv\"\n\
             [[sources]]\nname = \"users\"\npath = \"u.csv\"\n\
             [analyses.v]\nkind = \"customer_value\"\ntable = \"sales\"\ncustomer = \"user_id\"\n\
             amount = \"Amount\"\n[[analyses.v.relations]]\nfrom = \"sales.user_id\"\nto = \"users.id\"\n+++\n\
             ```sql q\nSELECT \"Order ID\", COUNT(*) AS n FROM sales GROUP BY \"Order ID\"\n```\n\
             ```sql all_users hide\nSELECT * FROM users\n```\n",
        )
        .unwrap();
        let report = crate::content::report::load_report(&folder, "Overview").unwrap();
        let wanted = wanted_columns(&report);
        let sales = &wanted["sales"];
        for column in ["user_id", "amount", "Order ID", "ID"] {
            assert!(sales.keeps(column), "{column}");
        }
        assert!(!sales.keeps("Status") && !sales.keeps("ship-city"));
        // `SELECT *` reads every column of `users`.
        assert_eq!(wanted["users"], Wanted::All);
    }
}

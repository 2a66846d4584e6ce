//! RFM segments: the rules that name a customer from its R and F scores
//! (the ten defaults of analyses.md §4 or the report's own, first match
//! wins), their recommended actions in the report's language, and the
//! per-segment summary.

use super::customers::Customers;
use crate::analysis::common::{KahanSum, ratio, text};
use crate::config::Language;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeSet;

/// Name of the segment of customers that no rule matches.
pub(super) const OTHER: &str = "Other";

/// One `[[analyses.NAME.segments]]` rule: R and F score ranges, inclusive.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    pub name: String,
    pub r: [u8; 2],
    pub f: [u8; 2],
    /// Recommended action; default: the built-in action of a default
    /// segment name, else none.
    #[serde(default)]
    pub action: Option<String>,
}

/// A checked rule.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Rule {
    pub name: String,
    pub r: [u8; 2],
    pub f: [u8; 2],
    pub action: Option<String>,
}

impl Rule {
    fn matches(&self, r: u8, f: u8) -> bool {
        (self.r[0]..=self.r[1]).contains(&r) && (self.f[0]..=self.f[1]).contains(&f)
    }
}

/// The default rules in order: name, R range, F range.
const DEFAULT_RULES: [(&str, [u8; 2], [u8; 2]); 10] = [
    ("Champions", [5, 5], [4, 5]),
    ("Loyal Customers", [3, 4], [4, 5]),
    ("Cannot Lose Them", [1, 2], [5, 5]),
    ("At Risk", [1, 2], [3, 4]),
    ("Hibernating", [1, 2], [1, 2]),
    ("Potential Loyalists", [4, 5], [2, 3]),
    ("New Customers", [5, 5], [1, 1]),
    ("Promising", [4, 4], [1, 1]),
    ("Need Attention", [3, 3], [3, 3]),
    ("About to Sleep", [3, 3], [1, 2]),
];

/// The built-in recommended action of a default segment.
fn default_action(name: &str, lang: Language) -> Option<String> {
    let (id, en) = match name {
        "Champions" => (
            "Beri penghargaan: akses awal ke produk baru dan keuntungan loyalitas; minta ulasan dan referensi.",
            "Reward them: early access to new products and loyalty perks; ask for reviews and referrals.",
        ),
        "Loyal Customers" => (
            "Tawarkan produk bernilai lebih tinggi (upsell) dan program keanggotaan.",
            "Upsell higher-value products and offer a membership or loyalty programme.",
        ),
        "Cannot Lose Them" => (
            "Menangkan kembali lewat kontak pribadi dan penawaran kuat; cari tahu mengapa mereka berhenti.",
            "Win them back with personal contact and strong offers; find out why they stopped buying.",
        ),
        "At Risk" => (
            "Kirim kampanye reaktivasi yang dipersonalisasi dengan penawaran yang relevan.",
            "Send personalised reactivation campaigns with relevant offers.",
        ),
        "Hibernating" => (
            "Tawarkan promo berbiaya rendah atau produk populer; jangan habiskan banyak anggaran.",
            "Offer low-cost win-back deals or popular products; do not spend much on them.",
        ),
        "Potential Loyalists" => (
            "Tawarkan keanggotaan dan rekomendasi produk agar mereka kembali berbelanja.",
            "Offer a membership and product recommendations to bring them back.",
        ),
        "New Customers" => (
            "Sambut dengan baik: pesan selamat datang, bantuan pembelian pertama, tindak lanjut cepat.",
            "Onboard them well: a welcome message, first-purchase support and an early follow-up.",
        ),
        "Promising" => (
            "Kenalkan ragam produk dengan sampel atau insentif kecil.",
            "Build awareness of the range with samples or small incentives.",
        ),
        "Need Attention" => (
            "Kirim penawaran terbatas waktu dan rekomendasi dari pembelian sebelumnya.",
            "Send limited-time offers and recommendations based on past purchases.",
        ),
        "About to Sleep" => (
            "Sapa kembali dengan produk populer dan diskon sebelum mereka pergi.",
            "Reconnect with popular products and discounts before they lapse.",
        ),
        _ => return None,
    };
    Some(text(lang, id, en))
}

/// The report's rules, checked, or the defaults.
pub(super) fn resolve_rules(custom: Option<&[SegmentRule]>, lang: Language) -> Result<Vec<Rule>> {
    let Some(custom) = custom else {
        return Ok(DEFAULT_RULES
            .iter()
            .map(|&(name, r, f)| Rule {
                name: name.to_string(),
                r,
                f,
                action: default_action(name, lang),
            })
            .collect());
    };
    if custom.is_empty() {
        return Err(Error::new("setting `segments` lists no rule").setting("segments").hint(
            "remove it to use the ten default segments, or add `[[analyses.NAME.segments]]` tables",
        ));
    }
    let mut names = BTreeSet::new();
    custom
        .iter()
        .map(|rule| {
            check_rule(rule, &mut names)?;
            Ok(Rule {
                name: rule.name.clone(),
                r: rule.r,
                f: rule.f,
                action: rule
                    .action
                    .clone()
                    .or_else(|| default_action(&rule.name, lang)),
            })
        })
        .collect()
}

/// Reject empty, duplicate or reserved names and ranges outside 1–5.
fn check_rule<'a>(rule: &'a SegmentRule, names: &mut BTreeSet<&'a str>) -> Result<()> {
    let name = rule.name.trim();
    if name.is_empty() || name == OTHER || !names.insert(name) {
        return Err(Error::new(format!(
            "setting `segments`: segment name `{}` is empty, repeated or reserved",
            rule.name
        ))
        .setting("segments")
        .hint(format!(
            "give every rule its own name; `{OTHER}` holds the customers no rule matches"
        )));
    }
    for (key, [lo, hi]) in [("r", rule.r), ("f", rule.f)] {
        if !(1 <= lo && lo <= hi && hi <= 5) {
            return Err(Error::new(format!(
                "setting `segments`: `{key} = [{lo}, {hi}]` of segment `{name}` is not a score range"
            )).setting("segments")
            .hint(format!("scores run from 1 to 5, low first: `{key} = [4, 5]`")));
        }
    }
    Ok(())
}

/// The index of the first rule each customer matches; `rules.len()` for
/// `Other`.
pub(super) fn assign(rules: &[Rule], r: &[u8], f: &[u8]) -> Vec<usize> {
    r.iter()
        .zip(f)
        .map(|(&r, &f)| {
            rules
                .iter()
                .position(|rule| rule.matches(r, f))
                .unwrap_or(rules.len())
        })
        .collect()
}

/// One row of the segment summary.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct SegmentSummary {
    pub name: String,
    pub action: Option<String>,
    pub customers: u64,
    pub share: Option<f64>,
    pub mean_recency: Option<f64>,
    pub mean_frequency: Option<f64>,
    pub mean_monetary: Option<f64>,
    pub revenue: f64,
    pub revenue_share: Option<f64>,
}

/// Per segment, in rule order (then `Other` when any customer is in it):
/// customers, share of customers, mean recency, frequency and monetary
/// value, revenue and its share of all customers' revenue.
pub(super) fn summarize(
    rules: &[Rule],
    assigned: &[usize],
    customers: &Customers,
    recency: &[f64],
) -> Vec<SegmentSummary> {
    let groups = rules.len() + 1;
    let mut count = vec![0u64; groups];
    let mut sums = vec![[KahanSum::default(); 3]; groups];
    let mut total = KahanSum::default();
    for (i, &g) in assigned.iter().enumerate() {
        count[g] += 1;
        sums[g][0].add(recency[i]);
        sums[g][1].add(customers.frequency[i]);
        sums[g][2].add(customers.monetary[i]);
        total.add(customers.monetary[i]);
    }
    let n = Some(assigned.len() as f64);
    let mut out = Vec::with_capacity(groups);
    for g in 0..groups {
        let (name, action) = match rules.get(g) {
            Some(rule) => (rule.name.clone(), rule.action.clone()),
            None if count[g] > 0 => (OTHER.to_string(), None),
            None => continue,
        };
        let c = Some(count[g] as f64);
        let mean = |k: usize| ratio(Some(sums[g][k].value()), c);
        let revenue = sums[g][2].value();
        out.push(SegmentSummary {
            name,
            action,
            customers: count[g],
            share: ratio(c, n),
            mean_recency: mean(0),
            mean_frequency: mean(1),
            mean_monetary: mean(2),
            revenue,
            revenue_share: ratio(Some(revenue), Some(total.value())),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_cover_every_score_pair() {
        let rules = resolve_rules(None, Language::En).unwrap();
        for r in 1..=5 {
            for f in 1..=5 {
                let g = assign(&rules, &[r], &[f])[0];
                assert!(g < rules.len(), "R{r} F{f} matches no rule");
            }
        }
        // First match wins: R5 F4 is a Champion, R3 F3 needs attention.
        assert_eq!(rules[assign(&rules, &[5], &[4])[0]].name, "Champions");
        assert_eq!(rules[assign(&rules, &[3], &[3])[0]].name, "Need Attention");
        assert_eq!(
            rules[assign(&rules, &[2], &[5])[0]].name,
            "Cannot Lose Them"
        );
    }

    #[test]
    fn custom_rules_are_checked_and_keep_default_actions() {
        let rule = |name: &str, r, f| SegmentRule {
            name: name.into(),
            r,
            f,
            action: None,
        };
        let rules =
            resolve_rules(Some(&[rule("Champions", [4, 5], [4, 5])]), Language::Id).unwrap();
        assert!(rules[0].action.as_deref().unwrap().starts_with("Beri"));
        // R1 F1 matches no rule -> Other.
        assert_eq!(assign(&rules, &[1], &[1]), [1]);
        let bad = resolve_rules(Some(&[rule("X", [0, 5], [1, 5])]), Language::En);
        assert!(bad.unwrap_err().to_string().contains("`r = [0, 5]`"));
        let twice = [rule("X", [1, 5], [1, 5]), rule("X", [1, 1], [1, 1])];
        let e = resolve_rules(Some(&twice), Language::En).unwrap_err();
        assert!(e.to_string().contains("`X`"), "{e}");
    }
}

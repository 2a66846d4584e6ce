//! Rule-based cluster names, evaluated on the centroids (original units).
//!
//! A rule is one or more terms joined by ` and `:
//! - `highest:FEATURE` / `lowest:FEATURE`: the one candidate cluster with the
//!   highest / lowest centroid of FEATURE (ties: the lower cluster number);
//! - `above_mean:FEATURE` / `below_mean:FEATURE`: every candidate whose
//!   centroid is above / below the mean of FEATURE over all points;
//! - `rest` (or no rule): every candidate.
//!
//! Rules apply in the order written; the candidates of a rule are the
//! clusters no earlier rule has named, narrowed by its terms from left to
//! right (so `above_mean:Boxes and highest:Amount` is the highest Amount
//! among the above-average-boxes clusters). First match wins. When one rule
//! names several clusters, each gets the name followed by its number, e.g.
//! `Bulk (2)`. Unnamed clusters are called `Cluster N`.

use super::NameRule;
use crate::error::{Error, Result};

/// One parsed rule term.
#[derive(Clone, Debug, PartialEq)]
enum Term {
    Highest(usize),
    Lowest(usize),
    AboveMean(usize),
    BelowMean(usize),
    Rest,
}

/// A name with its parsed rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedRule {
    name: String,
    terms: Vec<Term>,
}

/// Parse and check every rule against the feature names.
pub fn parse_rules(rules: &[NameRule], features: &[String]) -> Result<Vec<ParsedRule>> {
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let text = r.rule.as_deref().unwrap_or("rest");
            let terms = text
                .split(" and ")
                .map(|t| parse_term(t.trim(), features))
                .collect::<Result<Vec<_>>>()
                .map_err(|e| e.context(format!("setting `names[{i}].rule` (`{text}`)")))?;
            Ok(ParsedRule {
                name: r.name.clone(),
                terms,
            })
        })
        .collect()
}

fn parse_term(term: &str, features: &[String]) -> Result<Term> {
    if term == "rest" {
        return Ok(Term::Rest);
    }
    let Some((op, feature)) = term.split_once(':') else {
        return Err(unknown_term(term));
    };
    let f = features
        .iter()
        .position(|n| n == feature.trim())
        .ok_or_else(|| {
            Error::new(format!("`{}` is not a k-means feature", feature.trim()))
                .hint(format!("features: {}", features.join(", ")))
        })?;
    match op.trim() {
        "highest" => Ok(Term::Highest(f)),
        "lowest" => Ok(Term::Lowest(f)),
        "above_mean" => Ok(Term::AboveMean(f)),
        "below_mean" => Ok(Term::BelowMean(f)),
        _ => Err(unknown_term(term)),
    }
}

fn unknown_term(term: &str) -> Error {
    Error::new(format!("unknown rule term `{term}`")).hint(
        "use highest:FEATURE, lowest:FEATURE, above_mean:FEATURE, below_mean:FEATURE or rest, joined by ` and `",
    )
}

/// Names of clusters `0..k` from their centroids and the feature means.
pub fn name_clusters(
    rules: &[ParsedRule],
    centroids: &[Vec<f64>],
    feature_means: &[f64],
    fallback: &str,
) -> Vec<String> {
    let k = centroids.len();
    let mut names: Vec<Option<String>> = vec![None; k];
    for rule in rules {
        let mut candidates: Vec<usize> = (0..k).filter(|&c| names[c].is_none()).collect();
        for term in &rule.terms {
            candidates = narrow(term, candidates, centroids, feature_means);
        }
        let several = candidates.len() > 1;
        for c in candidates {
            names[c] = Some(if several {
                format!("{} ({})", rule.name, c + 1)
            } else {
                rule.name.clone()
            });
        }
    }
    names
        .into_iter()
        .enumerate()
        .map(|(c, n)| n.unwrap_or_else(|| format!("{fallback} {}", c + 1)))
        .collect()
}

fn narrow(term: &Term, cands: Vec<usize>, centroids: &[Vec<f64>], means: &[f64]) -> Vec<usize> {
    let extreme = |f: usize, better: fn(f64, f64) -> bool| {
        let best = cands.iter().copied().reduce(|b, c| {
            if better(centroids[c][f], centroids[b][f]) {
                c
            } else {
                b
            }
        });
        best.into_iter().collect()
    };
    match *term {
        Term::Highest(f) => extreme(f, |a, b| a > b),
        Term::Lowest(f) => extreme(f, |a, b| a < b),
        Term::AboveMean(f) => cands
            .into_iter()
            .filter(|&c| centroids[c][f] > means[f])
            .collect(),
        Term::BelowMean(f) => cands
            .into_iter()
            .filter(|&c| centroids[c][f] < means[f])
            .collect(),
        Term::Rest => cands,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, rule: &str) -> NameRule {
        NameRule {
            name: name.to_string(),
            rule: Some(rule.to_string()),
        }
    }

    fn features() -> Vec<String> {
        vec!["amount".to_string(), "boxes".to_string()]
    }

    #[test]
    fn first_match_wins_and_highest_picks_among_unnamed() {
        // amount: 10, 50, 30, 50; boxes: 1, 2, 9, 3; means amount 35, boxes 3.75.
        let centroids = vec![
            vec![10.0, 1.0],
            vec![50.0, 2.0],
            vec![30.0, 9.0],
            vec![50.0, 3.0],
        ];
        let rules = parse_rules(
            &[
                rule("Premium", "highest:amount"),
                rule("Bulk", "above_mean:boxes"),
                rule("Second", "highest:amount"),
            ],
            &features(),
        )
        .expect("rules");
        let names = name_clusters(&rules, &centroids, &[35.0, 3.75], "Cluster");
        // Tie on amount 50: cluster 2 (lower number) is Premium; cluster 4 is
        // the highest remaining; cluster 1 is left unnamed.
        assert_eq!(names, vec!["Cluster 1", "Premium", "Bulk", "Second"]);
    }

    #[test]
    fn conjunction_and_several_matches_get_numbers() {
        let centroids = vec![vec![10.0, 5.0], vec![20.0, 6.0], vec![30.0, 0.0]];
        let rules = parse_rules(
            &[
                rule("Big boxes, low spend", "above_mean:boxes and lowest:amount"),
                rule("Other", "rest"),
            ],
            &features(),
        )
        .expect("rules");
        let names = name_clusters(&rules, &centroids, &[20.0, 11.0 / 3.0], "Cluster");
        assert_eq!(
            names,
            vec!["Big boxes, low spend", "Other (2)", "Other (3)"]
        );
    }

    #[test]
    fn bad_rules_name_the_setting() {
        let err = parse_rules(&[rule("x", "highest:nope")], &features()).expect_err("feature");
        assert!(err.message().contains("names[0].rule"), "{err}");
        assert!(err.message().contains("`nope`"), "{err}");
        let err = parse_rules(&[rule("x", "max:amount")], &features()).expect_err("op");
        assert!(err.message().contains("unknown rule term"), "{err}");
    }
}

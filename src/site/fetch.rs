//! The build's first stage for database and loader sources. Analyses over a
//! database source that can run there (customer value, RFM, cohorts, time
//! series, market basket, segment comparison) have their first aggregation
//! pushed down: only the aggregate crosses the wire. A source is fetched
//! whole only when something else reads its rows (a query, a relation
//! check, another analysis), or a pushdown cannot run on its columns. Each
//! distinct fetch runs once, in parallel, and the sources (and analyses)
//! are pointed at their fetched copies, which the rest of the build reads
//! like data files. Copies no source uses any more are then removed.

use super::BuildOptions;
use super::progress::count;
use crate::analysis::order_groups::{self, OrderColumns};
use crate::content::{Portal, Report};
use crate::data::SourceKind;
use crate::data::external::pushdown::{self, Aggregate, Pushed};
use crate::data::external::{self, FetchContext, Outcome, Planned};
use crate::data::load::with_own_expressions;
use crate::data::sql::referenced_names;
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How many progress steps `fetch_sources` reports: one per database or
/// loader source, and one per analysis that may be pushed down.
pub fn steps(portal: &Portal) -> usize {
    portal
        .reports
        .iter()
        .map(|r| {
            let external = r
                .meta
                .sources
                .iter()
                .filter(|s| s.kind() != SourceKind::File)
                .count();
            let pushable = r
                .meta
                .analyses
                .values()
                .filter(|a| pushable(r, a).is_some())
                .count();
            external + pushable
        })
        .sum()
}

/// Where fetched copies are kept: `sources/` in the cache folder (with
/// `--no-cache`, still there, but never reused).
pub fn fetch_dir(options: &BuildOptions) -> PathBuf {
    options
        .cache_dir
        .clone()
        .unwrap_or_else(|| options.paths.root.join(".wawasan-cache"))
        .join("sources")
}

/// One fetch to do: the report and source it is for (the first of those
/// sharing its key), the analyses for a pushdown (several when their
/// aggregations share one query), and the plan.
struct Job {
    report: usize,
    source: usize,
    analyses: Vec<Part>,
    planned: Planned,
}

/// An analysis whose aggregate a pushdown fetches: its own aggregation, and
/// its part of a merged one (`None`: the query is its alone).
struct Part {
    name: String,
    aggregate: Aggregate,
    part: Option<usize>,
    /// The query is the source's order groups, of which it reads these
    /// columns.
    order_groups: Option<&'static [&'static str]>,
}

impl Job {
    fn names(&self) -> String {
        let names: Vec<&str> = self.analyses.iter().map(|a| a.name.as_str()).collect();
        names.join(", ")
    }
}

/// Fetch what the portal's database and loader sources read, and set each
/// source's `fetched` (and each pushed-down analysis' aggregate). Returns a
/// line per fetch for the build's summary.
pub fn fetch_sources(portal: &mut Portal, options: &BuildOptions) -> Result<Vec<String>> {
    let dir = fetch_dir(options);
    let databases = portal.config.databases.clone();
    let (portal_index, portal_text) = (portal.index_path.clone(), portal.front_matter.clone());
    let cx = FetchContext {
        root: &options.paths.root,
        dir: &dir,
        databases: &databases,
        refresh: options.refresh || options.cache_dir.is_none(),
        portal_index: &portal_index,
        portal_text: &portal_text,
    };
    let mut lines = Vec::new();
    // Pushdowns first: a source whose pushdown cannot run is read whole.
    let pushdowns = plan_pushdowns(portal, &cx)?;
    let done = run_jobs(portal, &options.progress, &cx, &pushdowns)?;
    let mut whole: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (job, result) in pushdowns.iter().zip(done) {
        let report = &mut portal.reports[job.report];
        let source = report.meta.sources[job.source].name.clone();
        let (noun, names) = match job.analyses.len() {
            1 => ("analysis", job.names()),
            n => (
                "analyses",
                format!("{} (one query for the {n})", job.names()),
            ),
        };
        match result {
            Ok(outcome) => {
                lines.push(format!(
                    "{}: {noun} {names}: {} (pushed down to database {})",
                    report.slug,
                    describe(&outcome, "aggregate rows"),
                    report.meta.sources[job.source]
                        .database
                        .as_deref()
                        .unwrap_or_default()
                ));
                for part in &job.analyses {
                    let fetched = outcome.fetched.clone();
                    let pushed = match part.part {
                        Some(i) => Pushed::part(fetched, i, &part.aggregate),
                        None => Pushed {
                            fetched,
                            columns: part.order_groups.map(|columns| {
                                columns
                                    .iter()
                                    .map(|c| (c.to_string(), c.to_string()))
                                    .collect()
                            }),
                            order_groups: part.order_groups.is_some(),
                        },
                    };
                    report.meta.pushed.insert(part.name.clone(), pushed);
                }
            }
            Err(why) => {
                lines.push(format!(
                    "{}: {noun} {names}: not pushed down, as source {source}: {why}; its rows are fetched",
                    report.slug
                ));
                whole.insert((job.report, job.source));
            }
        }
    }
    // Then every source whose rows something reads.
    let mut jobs: Vec<Job> = Vec::new();
    let mut shared: Vec<(usize, usize, String)> = Vec::new();
    for (r, report) in portal.reports.iter().enumerate() {
        let wanted = super::needs::wanted_columns(report);
        let rows_read = sources_read_as_rows(report);
        for (s, spec) in report.meta.sources.iter().enumerate() {
            if spec.kind() == SourceKind::File
                || !(rows_read.contains(&spec.name) || whole.contains(&(r, s)))
            {
                continue;
            }
            let columns = wanted.get(&spec.name).cloned().unwrap_or_default();
            // A fetch reads only these columns; those `types` and `dates`
            // name are fetched too, so that the cleaning finds them.
            let columns = with_own_expressions(spec, &columns).with(
                spec.types
                    .keys()
                    .chain(spec.dates.keys())
                    .map(String::as_str),
            );
            let Some(planned) =
                external::plan(spec, &cx, &columns).map_err(|e| in_report(e, report, s))?
            else {
                continue;
            };
            if jobs.iter().any(|j| j.planned.key == planned.key) {
                shared.push((r, s, planned.key));
                continue;
            }
            jobs.push(Job {
                report: r,
                source: s,
                analyses: Vec::new(),
                planned,
            });
        }
    }
    let done = run_jobs(portal, &options.progress, &cx, &jobs)?;
    let mut by_key: BTreeMap<String, Outcome> = BTreeMap::new();
    for (job, result) in jobs.iter().zip(done) {
        let outcome = result.map_err(Error::new)?;
        let report = &mut portal.reports[job.report];
        let spec = &mut report.meta.sources[job.source];
        spec.fetched = Some(outcome.fetched.clone());
        lines.push(format!(
            "{}: source {}: {} ({})",
            report.slug,
            spec.name,
            describe(&outcome, "rows"),
            origin(spec)
        ));
        by_key.insert(job.planned.key.clone(), outcome);
    }
    // Every copy this portal uses is known now: the others go.
    let used: BTreeSet<String> = (pushdowns.iter().chain(&jobs))
        .map(|job| job.planned.key.clone())
        .collect();
    let pruned = external::prune::prune(&dir, &used);
    lines.extend(pruned.describe());
    for failure in pruned.failures {
        lines.push(format!("fetch cache: could not remove {failure}"));
    }
    for (r, s, key) in shared {
        let report = &mut portal.reports[r];
        let spec = &mut report.meta.sources[s];
        spec.fetched = by_key.get(&key).map(|o| o.fetched.clone());
        lines.push(format!(
            "{}: source {}: shared with another report ({})",
            report.slug,
            spec.name,
            origin(spec)
        ));
    }
    Ok(lines)
}

/// The pushdowns of every analysis over a database source that allows
/// them; sources that cannot be expressed in SQL are left to be read whole.
/// Two or more of customer value, RFM and cohorts of one report over one
/// source by the same columns share the source's order groups
/// (`analysis::order_groups`); other analyses of one source grouped by the
/// same keys (customer value and RFM, per customer) share one merged query.
/// Either way: one scan on the server and one result on the wire.
fn plan_pushdowns(portal: &Portal, cx: &FetchContext) -> Result<Vec<Job>> {
    let mut jobs = Vec::new();
    for (r, report) in portal.reports.iter().enumerate() {
        // Analyses sharing order groups, by source and columns.
        type Members = Vec<(String, Aggregate, &'static [&'static str])>;
        let mut by_orders: Vec<(usize, OrderColumns, Members)> = Vec::new();
        for (name, analysis) in &report.meta.analyses {
            let (Some((s, aggregate)), Some(columns)) =
                (pushable(report, analysis), analysis.order_columns())
            else {
                continue;
            };
            let member = (name.clone(), aggregate, analysis.order_group_columns());
            match by_orders
                .iter_mut()
                .find(|(source, c, _)| *source == s && *c == columns)
            {
                Some((_, _, members)) => members.push(member),
                None => by_orders.push((s, columns, vec![member])),
            }
        }
        // The order groups read all of the columns, which the members may
        // not: where the source derives or converts one of those, the
        // members go their own ways.
        let by_orders: Vec<(usize, Members, Aggregate)> = by_orders
            .into_iter()
            .filter_map(|(s, columns, members)| {
                let groups = order_groups::aggregate(&columns);
                let spec = &report.meta.sources[s];
                (members.len() > 1 && pushdown::not_expressible(spec, &groups).is_none())
                    .then_some((s, members, groups))
            })
            .collect();
        for (s, members, groups) in &by_orders {
            let spec = &report.meta.sources[*s];
            let planned = external::plan_pushdown(spec, groups.clone(), cx)
                .map_err(|e| in_report(e, report, *s))?;
            if let Some(planned) = planned {
                let analyses = members
                    .iter()
                    .map(|(name, aggregate, read)| Part {
                        name: name.clone(),
                        aggregate: aggregate.clone(),
                        part: None,
                        order_groups: Some(*read),
                    })
                    .collect();
                jobs.push(Job {
                    report: r,
                    source: *s,
                    analyses,
                    planned,
                });
            }
        }
        let in_order_groups = |name: &str| {
            by_orders
                .iter()
                .any(|(_, members, _)| members.iter().any(|(n, _, _)| n == name))
        };
        // By source, in analysis order: groups of analyses sharing keys.
        let mut groups: Vec<(usize, Vec<(String, Aggregate)>)> = Vec::new();
        for (name, analysis) in &report.meta.analyses {
            if in_order_groups(name) {
                continue;
            }
            // Each member can be pushed down alone, so their merge can.
            let Some((s, aggregate)) = pushable(report, analysis) else {
                continue;
            };
            let keys = aggregate.grouped.as_ref().map(|g| &g.keys);
            let shared = groups.iter_mut().find(|(source, members)| {
                *source == s
                    && keys.is_some()
                    && members[0].1.grouped.as_ref().map(|g| &g.keys) == keys
            });
            match shared {
                Some((_, members)) => members.push((name.clone(), aggregate)),
                None => groups.push((s, vec![(name.clone(), aggregate)])),
            }
        }
        for (s, members) in groups {
            let spec = &report.meta.sources[s];
            let merged = match members.len() {
                1 => Some(members[0].1.clone()),
                _ => pushdown::merge(&members.iter().map(|(_, a)| a).collect::<Vec<_>>()),
            };
            let Some(merged) = merged else { continue };
            let alone = members.len() == 1;
            let planned =
                external::plan_pushdown(spec, merged, cx).map_err(|e| in_report(e, report, s))?;
            if let Some(planned) = planned {
                let analyses = members
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, aggregate))| Part {
                        name,
                        aggregate,
                        part: (!alone).then_some(i),
                        order_groups: None,
                    })
                    .collect();
                jobs.push(Job {
                    report: r,
                    source: s,
                    analyses,
                    planned,
                });
            }
        }
    }
    Ok(jobs)
}

/// Where `analysis` of `report` can be pushed down: the position of its
/// database source, whose cleaning SQL can express around its aggregate,
/// and the aggregate.
fn pushable(
    report: &Report,
    analysis: &crate::analysis::AnalysisSpec,
) -> Option<(usize, Aggregate)> {
    let aggregate = analysis.pushdown()?;
    let table = analysis.table();
    let s = report.meta.sources.iter().position(|s| s.name == table)?;
    let spec = &report.meta.sources[s];
    (spec.kind() == SourceKind::Database && pushdown::not_expressible(spec, &aggregate).is_none())
        .then_some((s, aggregate))
}

/// The sources of `report` whose rows are read: by a query, by a relation
/// check, or by an analysis that does not push down (or whose source
/// cannot be expressed in SQL).
fn sources_read_as_rows(report: &Report) -> BTreeSet<String> {
    let mut read = BTreeSet::new();
    let sources: Vec<&str> = report
        .meta
        .sources
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    for (_, query) in report.queries() {
        let (names, _) = referenced_names(&query.sql);
        for name in names {
            if let Some(s) = sources.iter().find(|s| s.eq_ignore_ascii_case(&name)) {
                read.insert(s.to_string());
            }
        }
    }
    for analysis in report.meta.analyses.values() {
        let table = analysis.table();
        if pushable(report, analysis).is_none() {
            read.insert(table.to_string());
        }
        if let crate::analysis::AnalysisSpec::CustomerValue(cv) = analysis {
            for other in cv.tables().into_iter().skip(1) {
                read.insert(other.to_string());
            }
        }
    }
    read
}

/// Run `jobs` in parallel, reporting each; a pushdown that cannot run
/// gives `Err(why)`.
fn run_jobs(
    portal: &Portal,
    progress: &super::progress::ProgressSink,
    cx: &FetchContext,
    jobs: &[Job],
) -> Result<Vec<std::result::Result<Outcome, String>>> {
    jobs.par_iter()
        .map(|job| {
            let report = &portal.reports[job.report];
            let spec = &report.meta.sources[job.source];
            let step = match job.analyses.is_empty() {
                false => format!("push down {}", job.names()),
                true => format!("fetch {}", spec.name),
            };
            progress.started(&report.slug, &step);
            let result = match job.analyses.is_empty() {
                false => external::fetch_pushdown(spec, &job.planned, cx),
                true => external::fetch(spec, &job.planned, cx).map(Ok),
            }
            .map_err(|e| in_report(e, report, job.source))?;
            let detail = match &result {
                Ok(outcome) => describe(outcome, "rows"),
                Err(why) => format!("not pushed down: {why}"),
            };
            // One step per analysis (see `steps`).
            let done = job.analyses.len().max(1);
            progress.finished(&report.slug, &step, &detail, done);
            Ok(result)
        })
        .collect()
}

fn origin(spec: &crate::data::SourceSpec) -> String {
    match (&spec.database, &spec.command) {
        (Some(db), _) => format!("database {db}"),
        (_, Some(command)) => format!("loader `{}`", command.join(" ")),
        _ => String::new(),
    }
}

/// What a fetch did: `12,345 rows fetched`, or `... from the fetch cache`.
fn describe(outcome: &Outcome, what: &str) -> String {
    let rows = outcome.rows.map(|n| format!("{} {what}", count(n)));
    match (outcome.reused, rows) {
        (true, Some(rows)) => format!("{rows}, from the fetch cache"),
        (true, None) => "from the fetch cache".to_string(),
        (false, Some(rows)) => format!("{rows} fetched"),
        (false, None) => "loader ran".to_string(),
    }
}

/// An error of source `index` of `report`, at the line of its setting.
fn in_report(err: Error, report: &Report, index: usize) -> Error {
    let setting = err.setting_name().unwrap_or("name").to_string();
    let index = index.to_string();
    err.within(
        report.index_path(),
        report.locate_key(&["sources", &index, &setting]),
    )
}

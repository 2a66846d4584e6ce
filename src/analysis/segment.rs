//! Segment comparison (analyses.md §1): B2B vs B2C or any other split.

use super::{AnalysisContext, AnalysisOutput};
use crate::error::Result;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    pub table: String,
}

pub fn run(_spec: &SegmentSpec, _ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    Ok(AnalysisOutput::default())
}

//! A built chart as a report's results keep it: the spec and the ECharts
//! option JSON (data, cached between builds); its HTML is made only when a
//! page places it.

use super::build::{build_option, needs_gl};
use super::embed::chart_html;
use super::spec::ChartSpec;
use crate::config::Language;
use crate::error::Result;
use crate::table::Table;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    pub spec: ChartSpec,
    pub option: Value,
}

impl ChartData {
    /// The chart of `spec` over `table`, titles and labels in `language`.
    pub fn build(spec: &ChartSpec, table: &Table, language: Language) -> Result<Self> {
        Ok(ChartData {
            spec: spec.clone(),
            option: build_option(spec, table, language)?,
        })
    }

    /// The `<figure>` that shows the chart, for the chart reference `name`.
    pub fn html(&self, name: &str, currency: &str, language: Language) -> String {
        let id = name.replace('.', "-");
        chart_html(&id, &self.spec, &self.option, currency, language)
    }

    /// Whether the chart needs echarts-gl (3D).
    pub fn needs_gl(&self) -> bool {
        needs_gl(&self.spec)
    }
}

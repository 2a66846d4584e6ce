//! Pie and donut charts: one slice per row, named by `x`, sized by the first
//! `y` column.

use charming::Chart;
use charming::component::{Legend, LegendType};
use charming::datatype::DataPointItem;
use charming::element::{Tooltip, Trigger};
use charming::series::Pie;

use super::build::Frame;
use super::columns::{chart_value, label};
use super::spec::ChartKind;

/// A pie (or donut, with a hole) over the frame's rows.
pub(crate) fn build(frame: &Frame) -> Chart {
    let x = frame.columns.x_index();
    let y = frame.columns.y_first();
    let slices: Vec<DataPointItem> = frame
        .rows
        .iter()
        .map(|row| DataPointItem::new(chart_value(&row[y])).name(label(&row[x])))
        .collect();
    let radius: Vec<&str> = if frame.spec.kind == ChartKind::Donut {
        vec!["40%", "68%"]
    } else {
        vec!["0%", "68%"]
    };
    let pie = Pie::new()
        .name(frame.display(y))
        .radius(radius)
        .center(vec!["50%", "45%"])
        .data(slices);
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(Legend::new().type_(LegendType::Scroll).bottom(0))
        .series(pie)
}

#[cfg(test)]
mod tests {
    use crate::chart::build::build_option;
    use crate::chart::spec::{ChartKind, ChartSpec};
    use crate::config::Language;
    use crate::table::Table;
    use serde_json::{Value, json};

    fn shares() -> Table {
        let mut t = Table::new(["segment", "customers"]);
        t.push(vec![json!("High"), json!(20)]);
        t.push(vec![json!("Low"), json!(80.5)]);
        t.push(vec![json!("Unknown"), Value::Null]);
        t
    }

    fn spec(kind: ChartKind) -> ChartSpec {
        ChartSpec {
            kind,
            table: "value.segments".into(),
            x: Some("segment".into()),
            y: vec!["customers".into()],
            ..ChartSpec::default()
        }
    }

    #[test]
    fn pie_has_one_named_slice_per_row() {
        let option = build_option(&spec(ChartKind::Pie), &shares(), Language::En).unwrap();
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(series[0]["type"], json!("pie"));
        assert_eq!(series[0]["name"], json!("Customers"));
        assert_eq!(
            series[0]["data"],
            json!([
                {"name": "High", "value": 20},
                {"name": "Low", "value": 80.5},
                {"name": "Unknown", "value": null}
            ])
        );
        assert_eq!(series[0]["radius"], json!(["0%", "68%"]));
        assert_eq!(option["tooltip"]["trigger"], json!("item"));
        assert!(option.get("xAxis").is_none());
    }

    #[test]
    fn labels_name_the_series() {
        let mut s = spec(ChartKind::Pie);
        s.labels = [("customers".to_string(), "Pelanggan".to_string())].into();
        let option = build_option(&s, &shares(), Language::Id).unwrap();
        assert_eq!(option["series"][0]["name"], json!("Pelanggan"));
    }

    #[test]
    fn donut_has_a_hole() {
        let option = build_option(&spec(ChartKind::Donut), &shares(), Language::En).unwrap();
        assert_eq!(option["series"][0]["radius"], json!(["40%", "68%"]));
    }
}

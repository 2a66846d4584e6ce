//! Every value a page prints goes through the text encoder. Tera escapes
//! only an expression whose result is a string of its own making: a `~`
//! concatenation, a list or an object is printed raw, so data in it would
//! reach Markdown as markup. Each `{{ … }}` of a page gets one last filter,
//! [`TEXT_FILTER`], that writes any value as a text placeholder; only the
//! placing functions (`chart()`, `table()`, `kpis()`, which make their own
//! placeholders) and macro calls (whose bodies print through this filter
//! already) are left as they are. A boolean prints as a word of the page's
//! language (`Ya`/`Tidak`, `Yes`/`No`).

use super::placeholders::text_placeholder;
use crate::config::Language;
use crate::table::names::bool_text;
use serde_json::Value;
use std::collections::HashMap;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};
use tera::{Template, Tera};

/// The filter appended to every printed expression.
pub const TEXT_FILTER: &str = "__wawasan_text";

/// Register the filter on `tera`, booleans written in `language`.
pub fn register(tera: &mut Tera, language: Language) {
    tera.register_filter(TEXT_FILTER, TextFilter(language));
}

/// Add the filter to every printed expression of `template` (its body, its
/// blocks and its macros).
pub fn route_through_text(template: &mut Template) {
    rewrite(&mut template.ast);
    for definition in template.macros.values_mut() {
        rewrite(&mut definition.body);
    }
    for block in template.blocks.values_mut() {
        rewrite(&mut block.body);
    }
    for chain in template.blocks_definitions.values_mut() {
        for (_, block) in chain {
            rewrite(&mut block.body);
        }
    }
}

fn rewrite(nodes: &mut [Node]) {
    for node in nodes {
        match node {
            Node::VariableBlock(_, expr) => add_filter(expr),
            Node::MacroDefinition(_, definition, _) => rewrite(&mut definition.body),
            Node::FilterSection(_, section, _) => rewrite(&mut section.body),
            Node::Block(_, block, _) => rewrite(&mut block.body),
            Node::Forloop(_, forloop, _) => {
                rewrite(&mut forloop.body);
                if let Some(empty) = &mut forloop.empty_body {
                    rewrite(empty);
                }
            }
            Node::If(branches, _) => {
                for (_, _, body) in &mut branches.conditions {
                    rewrite(body);
                }
                if let Some((_, body)) = &mut branches.otherwise {
                    rewrite(body);
                }
            }
            _ => {}
        }
    }
}

fn add_filter(expr: &mut Expr) {
    let places = matches!(&expr.val, ExprVal::FunctionCall(call)
        if ["chart", "table", "kpis"].contains(&call.name.as_str()));
    if (places && expr.filters.is_empty()) || matches!(expr.val, ExprVal::MacroCall(_)) {
        return;
    }
    expr.filters.push(FunctionCall {
        name: TEXT_FILTER.to_string(),
        args: HashMap::new(),
    });
}

struct TextFilter(Language);

impl tera::Filter for TextFilter {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
        Ok(Value::String(match value {
            Value::Null => String::new(),
            Value::Bool(b) => text_placeholder(bool_text(*b, self.0)),
            other => text_placeholder(&render(other)),
        }))
    }

    /// Its output is the placeholder already: Tera must not escape it again.
    fn is_safe(&self) -> bool {
        true
    }
}

/// A value as Tera prints it: text as is, lists as `[a, b]`, objects as
/// `[object]`.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(_) => "[object]".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_render_as_tera_prints_them() {
        let v = serde_json::json!(["a", 1, [true], {"k": 1}]);
        assert_eq!(render(&v), "[a, 1, [true], [object]]");
    }
}

//! What a report's pages use, read from their parsed Tera templates: the
//! names of the results they read (`{{ ringkasan[0].faktur }}` reads
//! `ringkasan`) and the tables they place with `table(name="...")`. A build
//! turns into JSON only the query results the pages read, and exports the
//! tables they place; a name given by an expression counts as every name.

use std::collections::BTreeSet;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};

/// The names a set of templates uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References {
    /// Root names of the variables read: `rfm` of `rfm.segments[seg].share`
    /// (and `seg`).
    pub variables: BTreeSet<String>,
    /// Whether a template reads the whole context (`__tera_context`).
    pub all_variables: bool,
    /// Tables placed with `table(name="...")`.
    pub tables: BTreeSet<String>,
    /// Tables placed with a download link (not `download=false`).
    pub downloads: BTreeSet<String>,
    /// Whether a `table()` call names its table with an expression.
    pub any_table: bool,
    /// Names of the filters used.
    pub filters: BTreeSet<String>,
    /// Templates included with `{% include %}`.
    pub includes: BTreeSet<String>,
    /// Macros called, as (namespace, name): `self` for the same file.
    pub macro_calls: BTreeSet<(String, String)>,
}

impl References {
    /// Whether the pages may read the result `name`.
    pub fn reads(&self, name: &str) -> bool {
        self.all_variables || self.variables.contains(name)
    }

    /// Whether the pages may place the table `name`.
    pub fn places(&self, name: &str) -> bool {
        self.any_table || self.tables.contains(name)
    }

    /// Whether the pages may offer the table `name` for download.
    pub fn offers(&self, name: &str) -> bool {
        self.any_table || self.downloads.contains(name)
    }

    /// Add what `nodes` (one template's AST) use.
    pub fn add_nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.add_node(node);
        }
    }

    fn add_node(&mut self, node: &Node) {
        match node {
            Node::VariableBlock(_, expr) => self.add_expr(expr),
            Node::MacroDefinition(_, def, _) => {
                for default in def.args.values().flatten() {
                    self.add_expr(default);
                }
                self.add_nodes(&def.body);
            }
            Node::Set(_, set) => self.add_expr(&set.value),
            Node::FilterSection(_, section, _) => {
                self.add_filter(&section.filter);
                self.add_nodes(&section.body);
            }
            Node::Block(_, block, _) => self.add_nodes(&block.body),
            Node::Forloop(_, forloop, _) => {
                self.add_expr(&forloop.container);
                self.add_nodes(&forloop.body);
                if let Some(empty) = &forloop.empty_body {
                    self.add_nodes(empty);
                }
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    self.add_expr(condition);
                    self.add_nodes(body);
                }
                if let Some((_, body)) = &branches.otherwise {
                    self.add_nodes(body);
                }
            }
            Node::Include(_, names, _) => self.includes.extend(names.iter().cloned()),
            Node::Super
            | Node::Text(_)
            | Node::Extends(..)
            | Node::ImportMacro(..)
            | Node::Raw(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Comment(..) => {}
        }
    }

    fn add_expr(&mut self, expr: &Expr) {
        self.add_value(&expr.val);
        for filter in &expr.filters {
            self.add_filter(filter);
        }
    }

    fn add_value(&mut self, value: &ExprVal) {
        match value {
            ExprVal::Ident(path) => self.add_ident(path),
            ExprVal::Math(m) => {
                self.add_expr(&m.lhs);
                self.add_expr(&m.rhs);
            }
            ExprVal::Logic(l) => {
                self.add_expr(&l.lhs);
                self.add_expr(&l.rhs);
            }
            ExprVal::In(i) => {
                self.add_expr(&i.lhs);
                self.add_expr(&i.rhs);
            }
            ExprVal::Test(test) => {
                self.add_ident(&test.ident);
                test.args.iter().for_each(|a| self.add_expr(a));
            }
            ExprVal::MacroCall(call) => {
                self.macro_calls
                    .insert((call.namespace.clone(), call.name.clone()));
                call.args.values().for_each(|a| self.add_expr(a));
            }
            ExprVal::FunctionCall(call) => {
                if call.name == "table" {
                    self.add_table_call(call);
                }
                self.add_call(call);
            }
            ExprVal::Array(items) => items.iter().for_each(|e| self.add_expr(e)),
            ExprVal::StringConcat(concat) => {
                for v in &concat.values {
                    self.add_value(v);
                }
            }
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {}
        }
    }

    fn add_table_call(&mut self, call: &FunctionCall) {
        let literal = |key: &str| {
            call.args
                .get(key)
                .filter(|e| e.filters.is_empty() && !e.negated)
                .map(|e| &e.val)
        };
        let Some(ExprVal::String(name)) = literal("name") else {
            self.any_table = true;
            return;
        };
        self.tables.insert(name.clone());
        // Only a literal `download=false` leaves the link out.
        if !matches!(literal("download"), Some(ExprVal::Bool(false))) {
            self.downloads.insert(name.clone());
        }
    }

    fn add_call(&mut self, call: &FunctionCall) {
        call.args.values().for_each(|a| self.add_expr(a));
    }

    fn add_filter(&mut self, filter: &FunctionCall) {
        self.filters.insert(filter.name.clone());
        self.add_call(filter);
    }

    /// Every name in a path such as `a.b[c]["d"][0]`: `a` and `c`.
    fn add_ident(&mut self, path: &str) {
        let mut rest = path;
        let mut root = true;
        while !rest.is_empty() {
            let Some(start) =
                rest.find(|c: char| c.is_alphabetic() || c == '_' || c == '"' || c == '\'')
            else {
                break;
            };
            rest = &rest[start..];
            if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                // A quoted key: skip it.
                rest = rest[1..].find(quote).map_or("", |end| &rest[end + 2..]);
                continue;
            }
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let (word, after) = rest.split_at(end);
            // After the root, only names inside brackets are variables;
            // `.field` parts are fields.
            let in_brackets = !root && path[..path.len() - rest.len()].ends_with('[');
            if root || in_brackets {
                if word == "__tera_context" {
                    self.all_variables = true;
                }
                self.variables.insert(word.to_string());
            }
            root = false;
            rest = after;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(body: &str) -> References {
        let template = tera::Template::new("page.md", None, body).unwrap();
        let mut r = References::default();
        r.add_nodes(&template.ast);
        r
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn variables_are_found_everywhere_by_their_root_name() {
        let r = refs(
            "{% set r = ringkasan[0] -%}{{ r.faktur | num }}\
             {% for s in rfm.segment_order %}{{ rfm.segments[s].share }}{% endfor %}\
             {% if bulan_puncak | length > 0 and x is defined %}{{ champ[\"At Risk\"] }}{% endif %}\
             {{ money(v=harga.0.x) }}{{ a ~ b }}{{ c | default(value=d) }}",
        );
        assert_eq!(
            names(&r.variables),
            [
                "a",
                "b",
                "bulan_puncak",
                "c",
                "champ",
                "d",
                "harga",
                "r",
                "rfm",
                "ringkasan",
                "s",
                "x"
            ]
        );
        assert!(!r.all_variables);
        assert!(r.reads("ringkasan") && !r.reads("faktur") && !r.reads("segments"));
        assert!(refs("{{ __tera_context }}").reads("anything"));
    }

    #[test]
    fn tables_placed_by_name_and_by_expression() {
        let r = refs(
            "{{ table(name=\"top\", limit=5) }} {{ chart(name=\"c\") }} \
             {{ table(name=\"peek\", limit=3, download=false) }}",
        );
        assert_eq!(names(&r.tables), ["peek", "top"]);
        assert_eq!(names(&r.downloads), ["top"]);
        assert!(r.places("top") && !r.places("c") && !r.any_table);
        assert!(r.places("peek") && !r.offers("peek") && r.offers("top"));
        let dynamic = refs("{% for n in names %}{{ table(name=n) }}{% endfor %}");
        assert!(dynamic.any_table && dynamic.places("whatever") && dynamic.offers("x"));
    }
}

"""Reference values for src/analysis/basket/tests_mlxtend.rs, from mlxtend.

Reads the CSV text DATA (order, item) out of that Rust file, one-hot encodes
it the usual way (one row per distinct order, True where the order has the
item), runs mlxtend's apriori + association_rules for each configuration
and prints the itemsets and rules in the test's format, sorted by name so
that the comparison does not depend on any order of equal values.

    pip install mlxtend pandas     # measured with mlxtend 0.25.0, pandas 3.1.1
    python3 tests/reference/basket.py
"""

import io
import pathlib
import re

import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules

CONFIGS = [(0.1, 0.3, 3), (0.05, 0.5, 4)]  # min_support, min_confidence, max_len


def label(items):
    return " + ".join(sorted(items))


def run(lines, min_support, min_confidence, max_len):
    onehot = pd.crosstab(lines["order"], lines["item"]) > 0
    itemsets = apriori(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    rules = association_rules(itemsets, metric="confidence", min_threshold=min_confidence)
    print(f"== min_support {min_support} min_confidence {min_confidence} max_len {max_len}")
    print(f"transactions {len(onehot)} itemsets {len(itemsets)} rules {len(rules)}")
    print("itemsets: &[")
    for items, support in sorted((label(s), v) for s, v in zip(itemsets.itemsets, itemsets.support)):
        print(f'    ("{items}", {support!r}),')
    print("],")
    print("rules: &[")
    rows = sorted(
        (label(r.antecedents), label(r.consequents), r)
        for r in rules.itertuples()
    )
    for a, c, r in rows:
        conviction = "None" if r.conviction == float("inf") else f"Some({r.conviction!r})"
        print(
            f'    ("{a}", "{c}", {r.support!r}, {r.confidence!r}, {r.lift!r}, '
            f"{r.leverage!r}, {conviction}),"
        )
    print("],")


source = pathlib.Path(__file__).parents[2] / "src/analysis/basket/tests_mlxtend.rs"
csv = re.search(r'const DATA: &str = r"(.*?)";', source.read_text(), re.S).group(1)
lines = pd.read_csv(io.StringIO(csv.strip() + "\n"))
for config in CONFIGS:
    run(lines, *config)

"""Reference values for src/analysis/rfm/tests_pandas.rs, from pandas.

Reads the CSV texts DATA_A and DATA_B out of that Rust file and prints, per
dataset, what pandas computes for RFM as analyses.md §4 defines it. The
printed lines are pasted into the test as the expected values.

    pip install pandas        # measured with pandas 3.1.1, numpy 2.4.6
    python3 tests/reference/rfm.py
"""

import io
import json
import pathlib
import re

import pandas as pd

RULES = [
    ("Champions", (5, 5), (4, 5)),
    ("Loyal Customers", (3, 4), (4, 5)),
    ("Cannot Lose Them", (1, 2), (5, 5)),
    ("At Risk", (1, 2), (3, 4)),
    ("Hibernating", (1, 2), (1, 2)),
    ("Potential Loyalists", (4, 5), (2, 3)),
    ("New Customers", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Need Attention", (3, 3), (3, 3)),
    ("About to Sleep", (3, 3), (1, 2)),
]


def segment(r, f):
    for name, (rl, rh), (fl, fh) in RULES:
        if rl <= r <= rh and fl <= f <= fh:
            return name
    return "Other"


def score(x, labels):
    """qcut into quintiles; rank with method "first" when edges collide."""
    try:
        return pd.qcut(x, 5, labels=labels).astype(int), False
    except ValueError:
        return pd.qcut(x.rank(method="first"), 5, labels=labels).astype(int), True


def rfm(csv):
    df = pd.read_csv(io.StringIO(csv), parse_dates=["date"])
    df = df.dropna(subset=["customer", "date", "invoice"])
    snapshot = df["date"].max() + pd.Timedelta(days=1)
    # groupby sorts by customer id: the order rank(method="first") uses.
    t = df.groupby("customer").agg(
        last=("date", "max"),
        frequency=("invoice", "nunique"),
        monetary=("amount", "sum"),
    )
    t["recency"] = (snapshot - t["last"]).dt.days
    t["r"], r_ranked = score(t["recency"], [5, 4, 3, 2, 1])
    t["f"] = pd.qcut(t["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    t["m"], m_ranked = score(t["monetary"], [1, 2, 3, 4, 5])
    t["segment"] = [segment(r, f) for r, f in zip(t["r"], t["f"])]
    seg = t.groupby("segment").agg(
        customers=("r", "size"),
        mean_recency=("recency", "mean"),
        mean_frequency=("frequency", "mean"),
        mean_monetary=("monetary", "mean"),
        revenue=("monetary", "sum"),
    )
    print(f"snapshot {snapshot.date()} r_ranked_first {r_ranked} m_ranked_first {m_ranked}")
    for col in ["recency", "frequency", "r", "f", "m"]:
        print(f"{col}: {[int(v) for v in t[col]]}")
    print(f"monetary: {json.dumps([float(v) for v in t['monetary']])}")
    print(f"customers: {json.dumps(list(t.index))}")
    print(f"segments: {json.dumps(list(t['segment']))}")
    for name, row in seg.iterrows():
        print(
            f'("{name}", {int(row.customers)}, {float(row.mean_recency)!r}, '
            f"{float(row.mean_frequency)!r}, {float(row.mean_monetary)!r}, {float(row.revenue)!r}),"
        )


source = pathlib.Path(__file__).parents[2] / "src/analysis/rfm/tests_pandas.rs"
text = source.read_text()
for name in ["DATA_A", "DATA_B"]:
    csv = re.search(rf'const {name}: &str = r"(.*?)";', text, re.S).group(1)
    print(f"== {name}")
    rfm(csv.strip() + "\n")

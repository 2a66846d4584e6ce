//! Pages generated once per value (`for_each`), built by the real binary
//! from `tests/fixtures/per_value`. Expected numbers worked out by hand
//! from its `sales.csv` and `targets.csv`:
//!   Indonesia: 3 lines, Kopi 250, Teh 100 + 60 = 160, revenue 410, target 500
//!   New Zealand: 2 lines, Kopi 70 + 30 = 100, target 90
//!   Côte d'Ivoire: 1 line, Kakao 400, target 350
//!   `<script>alert(1)</script>`: 1 line, Teh 5, target 1

mod common;

use common::{Fixture, snapshot};

/// The `<main>` of a page, where its own content is.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html[start..].find("</main>").expect("</main>") + start;
    &html[start..end]
}

#[test]
fn each_country_gets_a_page_with_its_own_rows_numbers_and_chart() {
    let f = Fixture::new("per_value");
    f.build();
    let indonesia = f.read("public/shop/country/indonesia.html");
    let main = main_of(&indonesia);
    assert!(main.contains("<h1>Country: Indonesia</h1>"), "{main}");
    assert!(main.contains("This country has 3 order lines."), "{main}");
    // Its query reads only its rows (split source), sorted by revenue.
    assert!(
        main.contains(
            "<td>Kopi</td><td class=\"num\" data-value=\"250\">$250.00</td></tr><tr><td>Teh</td><td class=\"num\" data-value=\"160\">$160.00</td>"
        ),
        "{main}"
    );
    assert!(!main.contains("Kakao"), "another country's rows: {main}");
    // `$Country` bound to the item: the target of Indonesia only.
    assert!(main.contains("Target: 500."), "{main}");
    // The chart is drawn from the item's own table.
    assert!(main.contains("\"data\":[250,160]"), "{main}");
    let nz = f.read("public/shop/country/new-zealand.html");
    assert!(main_of(&nz).contains("This country has 2 order lines."));
    assert!(main_of(&nz).contains("Target: 90."));
    assert!(main_of(&nz).contains("\"data\":[100]"), "{nz}");
    // A value with a quote is bound, not pasted into the SQL.
    let cote = f.read("public/shop/country/cote-d-ivoire.html");
    assert!(main_of(&cote).contains("Target: 350."), "{cote}");
    assert!(main_of(&cote).contains("<td>Kakao</td>"), "{cote}");
    // The narrative's relative links still reach the report's pages.
    assert!(main.contains("<a href=\"../findings.html\">other findings</a>"));
    assert!(f.path("public/shop/findings.html").is_file());
}

#[test]
fn pages_are_listed_linked_and_found_in_navigation_search_and_tables() {
    let f = Fixture::new("per_value");
    f.build();
    // The listing page links every item, sorted by -rows (ties keep the
    // order of first appearance in the data).
    let listing = f.read("public/shop/country.html");
    let order: Vec<usize> = [
        "country/indonesia.html",
        "country/new-zealand.html",
        "country/cote-d-ivoire.html",
        "country/script-alert-1-script.html",
    ]
    .iter()
    .map(|u| {
        main_of(&listing)
            .find(&format!("href=\"{u}\""))
            .unwrap_or_else(|| panic!("{u} not in the listing"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // The navigation of every page holds them, the current one marked.
    let nz = f.read("public/shop/country/new-zealand.html");
    assert!(nz.contains(
        "<a href=\"../../shop/country/new-zealand.html\" aria-current=\"page\" class=\"active\">Country: New Zealand</a>"
    ));
    let findings = f.read("public/shop/findings.html");
    assert!(findings.contains("href=\"../shop/country/indonesia.html\""));
    // Previous / next go between the items.
    assert!(nz.contains("href=\"../../shop/country/indonesia.html\" rel=\"prev\""));
    assert!(nz.contains("href=\"../../shop/country/cote-d-ivoire.html\" rel=\"next\""));
    // A table column links to them (`table(links="country")`).
    let overview = f.read("public/shop/index.html");
    assert!(
        overview.contains("<td><a href=\"country/indonesia.html\">Indonesia</a></td>"),
        "{overview}"
    );
    // And search finds them.
    let index = f.read("public/assets/search-index.js");
    assert!(index.contains("\"url\":\"shop/country/new-zealand.html\""));
    assert!(index.contains("\"title\":\"Country: New Zealand\""));
}

#[test]
fn an_items_own_table_downloads_only_its_rows_and_stays_out_of_the_workbook() {
    let f = Fixture::new("per_value");
    f.build();
    let indonesia = f.read("public/shop/country/indonesia.html");
    assert!(
        main_of(&indonesia)
            .contains("<a href=\"../results/country/indonesia/products.csv\" download>"),
        "{indonesia}"
    );
    // Indonesia's lines by product: Kopi 250, Teh 100 + 60.
    assert_eq!(
        f.read("public/shop/results/country/indonesia/products.csv"),
        "Product,revenue\nKopi,250\nTeh,160\n"
    );
    assert_eq!(
        f.read("public/shop/results/country/new-zealand/products.csv"),
        "Product,revenue\nKopi,100\n"
    );
    // A hidden query is not offered, for the item as for the report.
    assert!(
        !f.path("public/shop/results/country/indonesia/target.csv")
            .exists()
    );
    use calamine::{Reader, Xlsx, open_workbook};
    let book: Xlsx<_> = open_workbook(f.path("public/shop/results/shop.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["totals"]);
}

#[test]
fn a_query_makes_one_page_per_row_cut_to_the_top_n() {
    let f = Fixture::new("per_value");
    f.build();
    // `totals` by revenue: Indonesia 410, Côte d'Ivoire 400, New Zealand 100.
    let top = f.read("public/shop/top/top-indonesia.html");
    assert!(main_of(&top).contains("<h1>Indonesia (410)</h1>"), "{top}");
    assert!(
        main_of(&top).contains("Revenue of Indonesia: 410."),
        "{top}"
    );
    assert!(f.path("public/shop/top/top-cote-d-ivoire.html").is_file());
    assert!(!f.path("public/shop/top/top-new-zealand.html").exists());
}

#[test]
fn values_stay_text_in_titles_navigation_listings_and_search() {
    let f = Fixture::new("per_value");
    f.build();
    for (path, bytes) in snapshot(&f.path("public")) {
        // CSV and Excel downloads are data, not markup.
        if path.extension().is_some_and(|e| e == "csv" || e == "xlsx") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<script>alert(1)</script>"),
            "{} holds the value as markup",
            path.display()
        );
    }
    let page = f.read("public/shop/country/script-alert-1-script.html");
    assert!(page.contains("<h1>Country: &lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert!(main_of(&page).contains("Target: 1."));
}

#[test]
fn generated_pages_are_identical_from_the_results_cache() {
    let f = Fixture::new("per_value");
    f.build();
    let first = snapshot(&f.path("public"));
    let run = f.run("build");
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("1 from cache"), "{}", run.stderr);
    assert_eq!(first, snapshot(&f.path("public")));
}

fn build_error(f: &Fixture) -> String {
    let run = f.run("build");
    assert!(!run.ok, "the build should fail");
    assert!(!f.path("public").exists(), "a failed build wrote public/");
    run.stderr
}

#[test]
fn an_empty_key_is_an_error_naming_the_page_and_the_fix() {
    let f = Fixture::new("per_value");
    f.edit("data/sales.csv", "5,New Zealand,Kopi,70", "5,,Kopi,70");
    let err = build_error(&f);
    assert!(err.contains("country.md"), "{err}");
    assert!(
        err.contains("`Country` is empty in 1 row(s) of `sales`"),
        "{err}"
    );
    assert!(err.contains("IS NOT NULL"), "{err}");
}

#[test]
fn two_values_with_one_slug_are_an_error_naming_both() {
    let f = Fixture::new("per_value");
    f.edit(
        "data/sales.csv",
        "6,New Zealand,Kopi,30",
        "6,New-Zealand,Kopi,30",
    );
    let err = build_error(&f);
    assert!(
        err.contains("`New Zealand` and `New-Zealand` both give the page name `new-zealand`"),
        "{err}"
    );
}

#[test]
fn a_key_twice_in_a_query_is_an_error_naming_the_value() {
    let f = Fixture::new("per_value");
    f.edit(
        "content/shop/_index.md",
        "SELECT Country, SUM(Amount) AS revenue FROM sales GROUP BY Country ORDER BY revenue DESC",
        "SELECT Country, Amount AS revenue FROM sales ORDER BY revenue DESC",
    );
    let err = build_error(&f);
    assert!(err.contains("top.md"), "{err}");
    assert!(
        err.contains("`Country` = `Indonesia` appears twice in table `totals`"),
        "{err}"
    );
}

#[test]
fn settings_that_name_nothing_are_errors_saying_what_exists() {
    let f = Fixture::new("per_value");
    f.edit(
        "content/shop/country.md",
        "sort = \"-rows\"",
        "sort = \"-revenue\"",
    );
    let err = build_error(&f);
    assert!(err.contains("no field `revenue`"), "{err}");
    assert!(err.contains("Country, rows"), "{err}");

    let f = Fixture::new("per_value");
    f.edit(
        "content/shop/country.md",
        "table = \"sales\"",
        "table = \"sale\"",
    );
    let err = build_error(&f);
    assert!(err.contains("no table `sale`"), "{err}");
    assert!(err.contains("sales"), "{err}");

    let f = Fixture::new("per_value");
    f.edit("content/shop/country.md", "= $Country", "= $Region");
    let err = build_error(&f);
    assert!(err.contains("country.md"), "{err}");
    assert!(err.contains("no field `Region`"), "{err}");

    let f = Fixture::new("per_value");
    f.edit("content/shop/top.md", "limit = 2", "limit = 0");
    let err = build_error(&f);
    assert!(err.contains("top.md"), "{err}");
    assert!(err.contains("limit` is 0"), "{err}");
}

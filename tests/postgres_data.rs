//! The test server's datasets (`.ci/postgres start` loads them): each table
//! holds what its file in data/ holds — row counts, NULLs, sums, dates and
//! times — with the declared column types, owned by the test role, which
//! must log in with its password.
//!
//! The expected numbers were computed from the files with Python's standard
//! library, independently of PostgreSQL and of the loading script: csv +
//! decimal.Decimal for the thelook CSVs (an empty field counted as NULL;
//! `... UTC` rewritten to `+00:00` and parsed with datetime.fromisoformat for
//! epochs), json for the accounting files (dates split as dd/mm/yyyy), csv
//! for the Amazon file (dates split as MM-DD-YY).

mod common;

use common::pg;
use postgres::Client;
use postgres::types::FromSqlOwned;

/// The one value of a one-row, one-column query.
fn scalar<T: FromSqlOwned>(client: &mut Client, sql: &str) -> T {
    client
        .query_one(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

fn count(client: &mut Client, sql: &str) -> i64 {
    scalar::<i64>(client, sql)
}

#[test]
fn thelook_tables_hold_the_csv_files() {
    let Some(mut db) = pg::client() else { return };
    // Data rows of each CSV (csv.DictReader).
    assert_eq!(count(&mut db, "SELECT count(*) FROM thelook.users"), 8068);
    assert_eq!(count(&mut db, "SELECT count(*) FROM thelook.orders"), 9281);
    assert_eq!(
        count(&mut db, "SELECT count(*) FROM thelook.order_items"),
        15000
    );
    assert_eq!(
        count(&mut db, "SELECT count(*) FROM thelook.products"),
        2486
    );

    // Empty timestamp fields are NULLs, and only they are.
    let nulls = "SELECT count(*) FILTER (WHERE returned_at IS NULL), \
                 count(*) FILTER (WHERE shipped_at IS NULL) FROM thelook.order_items";
    let row = db.query_one(nulls, &[]).unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (13494, 5271));
    let nulls = "SELECT count(*) FILTER (WHERE returned_at IS NULL), \
                 count(*) FILTER (WHERE shipped_at IS NULL), \
                 count(*) FILTER (WHERE delivered_at IS NULL) FROM thelook.orders";
    let row = db.query_one(nulls, &[]).unwrap();
    let got: (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(got, (8362, 3292, 6044));

    // numeric keeps every digit of the CSV: Decimal sums of the text.
    assert_eq!(
        scalar::<String>(
            &mut db,
            "SELECT sum(sale_price)::text FROM thelook.order_items"
        ),
        "976646.5286681652101622"
    );
    assert_eq!(
        scalar::<String>(
            &mut db,
            "SELECT sum(retail_price)::text FROM thelook.products"
        ),
        "142945.2998371124273818"
    );
    // double precision: the float sum, up to summation order.
    let cost: f64 = scalar(&mut db, "SELECT sum(cost) FROM thelook.products");
    assert!((cost - 67749.37879234497).abs() < 1e-6, "{cost}");

    let ids = "SELECT sum(product_id)::bigint FROM thelook.order_items";
    assert_eq!(count(&mut db, ids), 18274930);
    let items = "SELECT sum(num_of_item)::bigint FROM thelook.orders";
    assert_eq!(count(&mut db, items), 14957);
    let centers = "SELECT sum(distribution_center_id)::bigint FROM thelook.products";
    assert_eq!(count(&mut db, centers), 13424);
    assert_eq!(
        count(&mut db, "SELECT sum(age)::bigint FROM thelook.users"),
        333425
    );
}

#[test]
fn thelook_times_are_the_instants_of_the_files() {
    let Some(mut db) = pg::client() else { return };
    // Sums of Unix epochs: both spellings of UTC in the files (`+00:00` in
    // order_items and users, ` UTC` in orders) read as the same instants.
    let epochs = |table: &str, column: &str| {
        format!("SELECT sum(extract(epoch FROM {column})::bigint)::bigint FROM thelook.{table}")
    };
    let mut sum = |table: &str, column: &str| count(&mut db, &epochs(table, column));
    assert_eq!(sum("order_items", "created_at"), 25199256670475);
    assert_eq!(sum("order_items", "delivered_at"), 8828670045108);
    assert_eq!(sum("orders", "created_at"), 15591647964643);
    assert_eq!(sum("users", "created_at"), 13355803061788);

    let range = "SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), \
                 to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') \
                 FROM thelook.orders";
    let row = db.query_one(range, &[]).unwrap();
    assert_eq!(row.get::<_, String>(0), "2021-01-15 15:37:26");
    assert_eq!(row.get::<_, String>(1), "2023-12-31 23:58:10");
}

#[test]
fn thelook_text_survives_quoting_and_utf8() {
    let Some(mut db) = pg::client() else { return };
    // Product names with a comma are quoted fields in the CSV.
    let commas = "SELECT count(*) FROM thelook.products WHERE name LIKE '%,%'";
    assert_eq!(count(&mut db, commas), 476);
    let paris = "SELECT count(*) FROM thelook.users WHERE state = 'Île-de-France'";
    assert_eq!(count(&mut db, paris), 554);
    let countries = "SELECT count(DISTINCT country) FROM thelook.users";
    assert_eq!(count(&mut db, countries), 12);
}

#[test]
fn accounting_tables_hold_the_json_files() {
    let Some(mut db) = pg::client() else { return };
    // 1980 invoices with 6000 detail lines in invoices_001..020.json.
    let lines = "SELECT count(*) FROM accounting.invoice_lines";
    assert_eq!(count(&mut db, lines), 6000);
    let invoices = "SELECT count(DISTINCT invoice_id) FROM accounting.invoice_lines";
    assert_eq!(count(&mut db, invoices), 1980);
    assert_eq!(
        count(&mut db, "SELECT count(*) FROM accounting.customers"),
        150
    );
    assert_eq!(count(&mut db, "SELECT count(*) FROM accounting.items"), 50);

    let sums = "SELECT sum(total_price)::bigint, sum(quantity)::bigint, \
                sum(quantity::bigint * unit_price)::bigint FROM accounting.invoice_lines";
    let row = db.query_one(sums, &[]).unwrap();
    let got: (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(got, (1239640400, 48777, 1239640400));
    // totalAmount once per invoice.
    let totals = "SELECT sum(total_amount)::bigint FROM \
                  (SELECT DISTINCT invoice_id, total_amount FROM accounting.invoice_lines) i";
    assert_eq!(count(&mut db, totals), 1239640400);
    let prices = "SELECT sum(unit_price)::bigint FROM accounting.items";
    assert_eq!(count(&mut db, prices), 1314000);
    let pcs = "SELECT count(*) FROM accounting.items WHERE unit = 'PCS'";
    assert_eq!(count(&mut db, pcs), 42);
    let retail = "SELECT count(*) FROM accounting.customers WHERE category = 'Retail'";
    assert_eq!(count(&mut db, retail), 99);

    // The first line of invoices_001.json, field by field.
    let first = "SELECT invoice_id, number, trans_date::text, customer_no, item_no, quantity \
                 FROM accounting.invoice_lines WHERE invoice_id = 1000 ORDER BY item_no";
    let rows = db.query(first, &[]).unwrap();
    let got: Vec<(i64, String, String, String, String, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect();
    let line = |item: &str, quantity| {
        let (id, number, date, customer) = (1000, "SI.2024.01.00001", "2024-01-01", "C.00038");
        (
            id,
            number.into(),
            date.into(),
            customer.into(),
            item.into(),
            quantity,
        )
    };
    assert_eq!(got, vec![line("BRG-0015", 1), line("BRG-0021", 2)]);
}

#[test]
fn accounting_dates_are_day_month_year() {
    let Some(mut db) = pg::client() else { return };
    // Lines dated after the 12th exist only if dd/mm was not read as mm/dd.
    let late =
        "SELECT count(*) FROM accounting.invoice_lines WHERE extract(day FROM trans_date) > 12";
    assert_eq!(count(&mut db, late), 3684);
    let march = "SELECT count(*) FROM accounting.invoice_lines \
                 WHERE trans_date >= '2024-03-01' AND trans_date < '2024-04-01'";
    assert_eq!(count(&mut db, march), 604);
    let range = "SELECT min(trans_date)::text, max(trans_date)::text FROM accounting.invoice_lines";
    let row = db.query_one(range, &[]).unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("2024-01-01".into(), "2024-12-30".into())
    );
    let range = "SELECT min(create_date)::text, max(create_date)::text, \
                 count(*) FILTER (WHERE extract(day FROM create_date) > 12) FROM accounting.customers";
    let row = db.query_one(range, &[]).unwrap();
    let got: (String, String, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(got, ("2019-01-02".into(), "2023-12-17".into(), 81));
}

#[test]
fn amazon_sales_hold_the_csv_file() {
    let Some(mut db) = pg::client() else { return };
    // Counted from data/amazon/amazon_sale_report.csv: 20,000 lines, 126
    // of them B2B, 1,276 without an amount, 18,390 units.
    assert_eq!(count(&mut db, "SELECT count(*) FROM amazon.sales"), 20_000);
    let b2b = "SELECT count(*) FROM amazon.sales WHERE \"B2B\"";
    assert_eq!(count(&mut db, b2b), 126);
    let no_amount = "SELECT count(*) FROM amazon.sales WHERE \"Amount\" IS NULL";
    assert_eq!(count(&mut db, no_amount), 1_276);
    let units = "SELECT CAST(sum(\"Qty\") AS bigint) FROM amazon.sales";
    assert_eq!(count(&mut db, units), 18_390);
    // MM-DD-YY: 11,869 lines are dated after the 12th of their month.
    let late = "SELECT count(*) FROM amazon.sales WHERE extract(day FROM \"Date\") > 12";
    assert_eq!(count(&mut db, late), 11_869);
    let first = "SELECT \"Order ID\", CAST(\"Date\" AS text), CAST(\"Amount\" AS text), \
                 \"Sales Channel \" FROM amazon.sales WHERE \"index\" = 0";
    let row = db.query_one(first, &[]).unwrap();
    let got: (String, String, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(
        got,
        (
            "407-7192585-8500084".into(),
            "2022-06-05".into(),
            "872.0".into(),
            "Amazon.in".into()
        )
    );
    let range = "SELECT CAST(min(\"Date\") AS text), CAST(max(\"Date\") AS text) FROM amazon.sales";
    let row = db.query_one(range, &[]).unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("2022-03-31".into(), "2022-06-29".into())
    );
    // The text copy it was typed from is gone.
    let staging = "SELECT count(*) FROM information_schema.tables \
                   WHERE table_schema = 'amazon' AND table_name = 'sale_report_text'";
    assert_eq!(count(&mut db, staging), 0);
}

#[test]
fn columns_have_the_declared_types() {
    let Some(mut db) = pg::client() else { return };
    let expected = [
        ("thelook", "users", "id", "bigint"),
        ("thelook", "users", "age", "integer"),
        ("thelook", "users", "created_at", "timestamp with time zone"),
        ("thelook", "orders", "num_of_item", "integer"),
        ("thelook", "orders", "status", "text"),
        ("thelook", "order_items", "order_id", "bigint"),
        ("thelook", "order_items", "sale_price", "numeric"),
        (
            "thelook",
            "order_items",
            "returned_at",
            "timestamp with time zone",
        ),
        ("thelook", "products", "cost", "double precision"),
        ("thelook", "products", "retail_price", "numeric"),
        ("accounting", "invoice_lines", "invoice_id", "bigint"),
        ("accounting", "invoice_lines", "trans_date", "date"),
        ("accounting", "invoice_lines", "quantity", "integer"),
        ("accounting", "invoice_lines", "unit_price", "bigint"),
        ("accounting", "customers", "create_date", "date"),
        ("accounting", "items", "unit_price", "bigint"),
        ("amazon", "sales", "Date", "date"),
        ("amazon", "sales", "B2B", "boolean"),
        ("amazon", "sales", "Qty", "integer"),
        ("amazon", "sales", "Amount", "numeric"),
    ];
    let sql = "SELECT data_type FROM information_schema.columns \
               WHERE table_schema = $1 AND table_name = $2 AND column_name = $3";
    for (schema, table, column, data_type) in expected {
        let rows = db.query(sql, &[&schema, &table, &column]).unwrap();
        let got: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(
            got,
            vec![data_type.to_string()],
            "{schema}.{table}.{column}"
        );
    }
}

#[test]
fn test_role_owns_the_data_and_can_make_scratch_schemas() {
    let Some(mut db) = pg::client() else { return };
    assert_eq!(
        scalar::<String>(&mut db, "SELECT current_user::text"),
        "wawasan"
    );
    let owners = "SELECT DISTINCT tableowner::text FROM pg_tables \
                  WHERE schemaname IN ('thelook', 'accounting')";
    let rows = db.query(owners, &[]).unwrap();
    let got: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec!["wawasan".to_string()]);

    let schema = format!("t_data_scratch_{}", std::process::id());
    db.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; \
         CREATE TABLE {schema}.t AS SELECT 1 AS one;"
    ))
    .unwrap();
    let one: i32 = scalar(&mut db, &format!("SELECT one FROM {schema}.t"));
    db.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
    assert_eq!(one, 1);
}

#[test]
fn the_server_checks_the_password() {
    let Some(url) = pg::database_url() else {
        return;
    };
    assert!(
        url.contains(":wawasan-secret-pw@"),
        "unexpected test URL shape"
    );
    let wrong = url.replace(":wawasan-secret-pw@", ":not-the-password@");
    let err = match postgres::Client::connect(&wrong, postgres::NoTls) {
        Ok(_) => panic!("a wrong password was accepted"),
        Err(e) => pg::describe(&e),
    };
    assert!(err.contains("password authentication failed"), "{err}");
}

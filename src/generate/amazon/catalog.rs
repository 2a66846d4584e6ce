//! The Amazon generator's fixed tables (categories, sizes, statuses,
//! places) and the catalog drawn once per file from them: styles with
//! their SKUs and ASINs, popularity, order dates and promotion ids.

use crate::generate::rng::{Rng, Weighted};
use crate::generate::{days_between, ymd};

/// A product category of the catalog.
pub(super) struct CategorySpec {
    pub(super) name: &'static str,
    /// Style codes are this prefix and a number from `first_number` on.
    prefix: &'static str,
    first_number: u32,
    styles: usize,
    /// Middle part of the SKU, between style code and size.
    sku_infix: &'static str,
    /// Typical unit price in INR.
    base_price: f64,
    b2c_weight: f64,
    b2b_weight: f64,
}

#[allow(clippy::too_many_arguments)]
const fn category(
    name: &'static str,
    prefix: &'static str,
    first_number: u32,
    styles: usize,
    sku_infix: &'static str,
    base_price: f64,
    b2c_weight: f64,
    b2b_weight: f64,
) -> CategorySpec {
    CategorySpec {
        name,
        prefix,
        first_number,
        styles,
        sku_infix,
        base_price,
        b2c_weight,
        b2b_weight,
    }
}

pub(super) const CATEGORIES: [CategorySpec; 9] = [
    category("Set", "SET", 100, 120, "KR-NP", 830.0, 39.0, 58.0),
    category("kurta", "JNE", 3000, 150, "KR", 450.0, 39.0, 24.0),
    category("Western Dress", "J0", 100, 60, "DR", 760.0, 12.0, 8.0),
    category("Top", "PJNE", 2000, 40, "TP", 530.0, 8.0, 6.0),
    category("Ethnic Dress", "MEN", 5000, 12, "DR", 720.0, 0.9, 1.5),
    category("Blouse", "BL", 100, 10, "BL", 520.0, 0.7, 1.0),
    category("Bottom", "BTM", 100, 6, "PL", 360.0, 0.3, 1.0),
    category("Saree", "SAR", 100, 3, "SR", 800.0, 0.1, 0.3),
    category("Dupatta", "DPT", 100, 2, "DPT", 305.0, 0.05, 0.2),
];

pub(super) const SIZES: [&str; 11] = [
    "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL", "Free",
];
/// The SKU spells 3XL as XXXL, as the original does.
pub(super) const SKU_SIZES: [&str; 11] = [
    "XS", "S", "M", "L", "XL", "XXL", "XXXL", "4XL", "5XL", "6XL", "Free",
];
pub(super) const FREE_SIZE: usize = 10;
pub(super) const B2C_SIZE_WEIGHTS: [f64; 10] =
    [8.0, 13.0, 17.5, 17.0, 16.0, 14.0, 11.5, 0.3, 0.4, 0.6];
pub(super) const B2B_SIZE_WEIGHTS: [f64; 10] =
    [4.0, 8.0, 14.0, 27.0, 26.0, 12.0, 7.0, 0.3, 0.4, 0.6];

pub(super) const STATUSES: [&str; 13] = [
    "Shipped",
    "Shipped - Delivered to Buyer",
    "Cancelled",
    "Shipped - Returned to Seller",
    "Shipped - Picked Up",
    "Pending",
    "Pending - Waiting for Pick Up",
    "Shipped - Returning to Seller",
    "Shipped - Out for Delivery",
    "Shipped - Rejected by Buyer",
    "Shipping",
    "Shipped - Lost in Transit",
    "Shipped - Damaged",
];
pub(super) const CANCELLED: usize = 2;
pub(super) const AMAZON_STATUS_WEIGHTS: [f64; 13] = [
    86.8, 0.0, 12.0, 0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0,
];
pub(super) const MERCHANT_STATUS_WEIGHTS: [f64; 13] = [
    0.0, 73.0, 18.5, 5.0, 2.5, 0.9, 0.7, 0.37, 0.09, 0.03, 0.01, 0.013, 0.003,
];

/// City, state, first three postal digits, weight.
pub(super) const PLACES: [(&str, &str, u32, f64); 30] = [
    ("BENGALURU", "KARNATAKA", 560, 9.0),
    ("HYDERABAD", "TELANGANA", 500, 7.0),
    ("MUMBAI", "MAHARASHTRA", 400, 5.6),
    ("NEW DELHI", "DELHI", 110, 5.0),
    ("CHENNAI", "TAMIL NADU", 600, 5.0),
    ("PUNE", "MAHARASHTRA", 411, 4.0),
    ("KOLKATA", "WEST BENGAL", 700, 2.0),
    ("GURUGRAM", "HARYANA", 122, 1.5),
    ("THANE", "MAHARASHTRA", 400, 1.3),
    ("LUCKNOW", "UTTAR PRADESH", 226, 1.2),
    ("NOIDA", "UTTAR PRADESH", 201, 1.2),
    ("AHMEDABAD", "GUJARAT", 380, 1.0),
    ("JAIPUR", "RAJASTHAN", 302, 1.0),
    ("GHAZIABAD", "UTTAR PRADESH", 201, 0.8),
    ("BHUBANESWAR", "ODISHA", 751, 0.7),
    ("KOCHI", "KERALA", 682, 0.6),
    ("GUWAHATI", "ASSAM", 781, 0.6),
    ("PATNA", "BIHAR", 800, 0.6),
    ("CHANDIGARH", "CHANDIGARH", 160, 0.5),
    ("INDORE", "MADHYA PRADESH", 452, 0.5),
    ("NAGPUR", "MAHARASHTRA", 440, 0.5),
    ("DEHRADUN", "UTTARAKHAND", 248, 0.4),
    ("VISAKHAPATNAM", "ANDHRA PRADESH", 530, 0.4),
    ("COIMBATORE", "TAMIL NADU", 641, 0.4),
    ("LUDHIANA", "PUNJAB", 141, 0.3),
    ("MYSURU", "KARNATAKA", 570, 0.3),
    ("BHOPAL", "MADHYA PRADESH", 462, 0.3),
    ("RAIPUR", "CHHATTISGARH", 492, 0.3),
    ("RANCHI", "JHARKHAND", 834, 0.3),
    ("PANAJI", "GOA", 403, 0.2),
];

pub(super) const FREE_SHIPPING_PROMO: &str = "IN Core Free Shipping 2015/04/08 23-48-5-108";
pub(super) const ORDER_PREFIXES: [u32; 8] = [171, 402, 403, 404, 405, 406, 407, 408];

/// One style of the catalog with its SKU and ASIN per size.
pub(super) struct Style {
    pub(super) code: String,
    pub(super) category: usize,
    pub(super) price: f64,
    pub(super) skus: Vec<String>,
    pub(super) asins: Vec<String>,
}

/// Everything drawn once per file: styles, popularity, dates, places, promos.
pub(super) struct Catalog {
    pub(super) styles: Vec<Style>,
    /// Per category: its style indices and their popularity.
    pub(super) category_styles: Vec<(Vec<usize>, Weighted)>,
    pub(super) categories: [Weighted; 2],
    pub(super) sizes: [Weighted; 2],
    pub(super) days: Vec<String>,
    pub(super) day_weights: [Weighted; 2],
    pub(super) places: Weighted,
    pub(super) merchant_promos: Vec<String>,
}

pub(super) fn build_catalog(rng: &mut Rng) -> Catalog {
    let mut styles = Vec::new();
    let mut category_styles = Vec::new();
    for (c, spec) in CATEGORIES.iter().enumerate() {
        let first = styles.len();
        for i in 0..spec.styles {
            let number = spec.first_number + 3 * i as u32 + rng.below(3) as u32;
            let code = format!("{}{number}", spec.prefix);
            let skus = SKU_SIZES
                .iter()
                .map(|s| format!("{code}-{}-{s}", spec.sku_infix))
                .collect();
            let asins = SIZES.iter().map(|_| draw_asin(rng)).collect();
            let price = (spec.base_price * rng.lognormal(1.0, 0.2)).round();
            styles.push(Style {
                code,
                category: c,
                price,
                skus,
                asins,
            });
        }
        let mut members: Vec<usize> = (first..styles.len()).collect();
        rng.shuffle(&mut members);
        let popularity = Weighted::zipf(members.len(), 2);
        category_styles.push((members, popularity));
    }
    let days: Vec<_> = days_between(ymd(2022, 3, 31), ymd(2022, 6, 29));
    let weekend: Vec<bool> = days
        .iter()
        .map(|d| chrono::Datelike::weekday(d).number_from_monday() >= 6)
        .collect();
    let trend = |i: usize| 1.0 - 0.25 * i as f64 / days.len() as f64;
    let b2b_days = Weighted::new(
        weekend
            .iter()
            .enumerate()
            .map(|(i, w)| trend(i) * if *w { 0.12 } else { 1.0 }),
    );
    Catalog {
        styles,
        category_styles,
        categories: [
            Weighted::new(CATEGORIES.iter().map(|c| c.b2c_weight)),
            Weighted::new(CATEGORIES.iter().map(|c| c.b2b_weight)),
        ],
        sizes: [
            Weighted::new(B2C_SIZE_WEIGHTS),
            Weighted::new(B2B_SIZE_WEIGHTS),
        ],
        day_weights: [Weighted::new((0..days.len()).map(trend)), b2b_days],
        days: days
            .iter()
            .map(|d| d.format("%m-%d-%y").to_string())
            .collect(),
        places: Weighted::new(PLACES.iter().map(|p| p.3)),
        merchant_promos: draw_merchant_promos(rng),
    }
}

/// An ASIN: `B0` and eight upper-case letters or digits.
fn draw_asin(rng: &mut Rng) -> String {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut asin = String::from("B0");
    for _ in 0..8 {
        asin.push(*rng.pick(ALNUM) as char);
    }
    asin
}

/// Comma-joined lists of 1..=8 merchant promotion ids sharing a prefix, as
/// the original's merchant rows carry them.
fn draw_merchant_promos(rng: &mut Rng) -> Vec<String> {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut joined = Vec::new();
    let mut list = String::new();
    for _ in 0..8 {
        let code: String = (0..13).map(|_| *rng.pick(ALNUM) as char).collect();
        if !list.is_empty() {
            list.push(',');
        }
        list.push_str("Amazon PLCC Free-Financing Universal Merchant AAT-");
        list.push_str(&code);
        joined.push(list.clone());
    }
    joined
}

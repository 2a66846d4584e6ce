//! The thelook generator's fixed tables (categories, brands, names,
//! places) and the product catalog drawn from them.

use crate::generate::rng::{Rng, Weighted};

/// Department, category, median retail price (USD), item nouns.
const CATEGORIES: [(&str, &str, f64, &[&str]); 18] = [
    (
        "Women",
        "Intimates",
        22.0,
        &["Bralette", "Brief", "Camisole"],
    ),
    (
        "Women",
        "Dresses",
        55.0,
        &["Maxi Dress", "Wrap Dress", "Shift Dress"],
    ),
    ("Women", "Tops & Tees", 25.0, &["Tee", "Tank", "Blouse"]),
    ("Women", "Sweaters", 48.0, &["Cardigan", "Pullover"]),
    ("Women", "Jeans", 60.0, &["Skinny Jean", "Bootcut Jean"]),
    ("Women", "Swim", 35.0, &["Bikini Top", "One-Piece Swimsuit"]),
    (
        "Women",
        "Outerwear & Coats",
        95.0,
        &["Trench Coat", "Puffer Jacket"],
    ),
    ("Women", "Active", 32.0, &["Sports Bra", "Yoga Pant"]),
    ("Women", "Accessories", 18.0, &["Scarf", "Belt", "Beanie"]),
    ("Men", "Underwear", 18.0, &["Boxer Brief", "Trunk"]),
    ("Men", "Jeans", 58.0, &["Slim Jean", "Straight Jean"]),
    ("Men", "Tops & Tees", 24.0, &["Crew Tee", "Polo", "Henley"]),
    (
        "Men",
        "Fashion Hoodies & Sweatshirts",
        45.0,
        &["Hoodie", "Sweatshirt"],
    ),
    (
        "Men",
        "Outerwear & Coats",
        110.0,
        &["Parka", "Bomber Jacket"],
    ),
    (
        "Men",
        "Suits & Sport Coats",
        160.0,
        &["Sport Coat", "Two-Piece Suit"],
    ),
    ("Men", "Shorts", 28.0, &["Cargo Short", "Chino Short"]),
    ("Men", "Socks", 12.0, &["Crew Sock", "Ankle Sock"]),
    ("Men", "Sleep & Lounge", 30.0, &["Lounge Pant", "Robe"]),
];

const BRANDS: [&str; 16] = [
    "Northwind",
    "Alder & Co",
    "Brightline",
    "Calloway",
    "Driftwood",
    "Everhart",
    "Fernhill",
    "Goldcrest",
    "Harbor Lane",
    "Ironbark",
    "Juniper Row",
    "Kestrel",
    "Lumen",
    "Marlow",
    "Nettle",
    "Oakridge",
];
const STYLES: [&str; 8] = [
    "Classic",
    "Relaxed",
    "Essential",
    "Vintage",
    "Performance",
    "Soft",
    "Tailored",
    "Everyday",
];
const COLOURS: [&str; 6] = [
    "Black",
    "Navy",
    "Heather Grey",
    "Olive",
    "White",
    "Burgundy",
];

pub const FIRST_NAMES: [[&str; 12]; 2] = [
    [
        "Mary", "Linda", "Aisha", "Sofia", "Mei", "Ana", "Emma", "Priya", "Chloe", "Yuki", "Laura",
        "Grace",
    ],
    [
        "James", "Robert", "Daniel", "Lucas", "Wei", "Carlos", "Noah", "Arjun", "Ethan", "Kenji",
        "Mateus", "Samuel",
    ],
];
pub const LAST_NAMES: [&str; 16] = [
    "Smith", "Johnson", "Garcia", "Kim", "Silva", "Chen", "Martin", "Brown", "Lopez", "Wang",
    "Davis", "Nguyen", "Muller", "Rossi", "Tanaka", "Wilson",
];
pub const TRAFFIC_SOURCES: [(&str, f64); 5] = [
    ("Search", 70.0),
    ("Organic", 15.0),
    ("Facebook", 6.0),
    ("Email", 5.0),
    ("Display", 4.0),
];
/// Country, state, city, weight.
pub const PLACES: [(&str, &str, &str, f64); 16] = [
    ("China", "Guangdong", "Shenzhen", 14.0),
    ("China", "Shanghai", "Shanghai", 12.0),
    ("United States", "California", "Los Angeles", 9.0),
    ("United States", "Texas", "Houston", 7.0),
    ("United States", "New York", "New York", 6.0),
    ("Brasil", "São Paulo", "São Paulo", 8.0),
    ("Brasil", "Minas Gerais", "Belo Horizonte", 4.0),
    ("South Korea", "Seoul", "Seoul", 5.0),
    ("France", "Île-de-France", "Paris", 4.0),
    ("United Kingdom", "England", "London", 4.0),
    ("Germany", "Bayern", "Munich", 3.0),
    ("Spain", "Madrid", "Madrid", 3.0),
    ("Japan", "Tokyo", "Tokyo", 3.0),
    ("Australia", "New South Wales", "Sydney", 3.0),
    ("Belgium", "Brussels", "Brussels", 1.0),
    ("Poland", "Mazowieckie", "Warsaw", 1.0),
];

/// One product row.
pub struct Product {
    pub id: usize,
    /// Retail price in cents; the sale price of every item of it.
    pub retail_cents: i64,
    /// Unit cost in dollars, unrounded as in the original export.
    pub cost: f64,
    pub category: &'static str,
    pub department: &'static str,
    pub name: String,
    pub brand: &'static str,
    pub sku: String,
    pub distribution_center_id: i64,
    /// Left out of `products.csv`: items that reference it are broken.
    pub discontinued: bool,
}

/// Products and, per department (0 women, 1 men), how to draw them:
/// by popularity, or among the dearest sixth for premium buyers.
pub struct Catalog {
    pub products: Vec<Product>,
    pub popular: [(Vec<usize>, Weighted); 2],
    pub premium: [Vec<usize>; 2],
}

/// A catalog of `n` products (ids from 1); a few are discontinued.
pub fn build_catalog(rng: &mut Rng, n: usize) -> Catalog {
    let mut products: Vec<Product> = (1..=n).map(|id| draw_product(rng, id)).collect();
    // at least one discontinued product, so broken item relations always exist
    let forced = rng.below(n);
    products[forced].discontinued = true;
    let mut popular = [
        (Vec::new(), Weighted::new([])),
        (Vec::new(), Weighted::new([])),
    ];
    let mut premium = [Vec::new(), Vec::new()];
    for (dept, name) in ["Women", "Men"].iter().enumerate() {
        let mut members: Vec<usize> = (0..n)
            .filter(|i| products[*i].department == *name)
            .collect();
        rng.shuffle(&mut members);
        let weights = Weighted::zipf(members.len(), 1);
        let mut by_price = members.clone();
        by_price.sort_by_key(|i| std::cmp::Reverse((products[*i].retail_cents, *i)));
        by_price.truncate((members.len() / 6).max(1));
        premium[dept] = by_price;
        popular[dept] = (members, weights);
    }
    Catalog {
        products,
        popular,
        premium,
    }
}

fn draw_product(rng: &mut Rng, id: usize) -> Product {
    let (department, category, median, nouns) = *rng.pick(&CATEGORIES);
    let brand = *rng.pick(&BRANDS);
    let possessive = if department == "Women" {
        "Women's"
    } else {
        "Men's"
    };
    let mut name = format!(
        "{brand} {possessive} {} {}",
        rng.pick(&STYLES),
        rng.pick(nouns)
    );
    if rng.chance(0.2) {
        name.push_str(", ");
        name.push_str(COLOURS[rng.below(COLOURS.len())]);
    }
    let retail_cents = ((rng.lognormal(median, 0.6) * 100.0).round() as i64).max(150);
    let cost = F32Dollars(retail_cents).value() * rng.uniform_in(0.35, 0.6);
    Product {
        id,
        retail_cents,
        cost,
        category,
        department,
        name,
        brand,
        sku: (0..32)
            .map(|_| *rng.pick(b"0123456789ABCDEF") as char)
            .collect(),
        distribution_center_id: rng.range(1, 10),
        discontinued: rng.chance(0.004),
    }
}

/// Cents written the way BigQuery exports a FLOAT read from a 32-bit
/// value: `49.9900016784668`.
pub struct F32Dollars(pub i64);

impl F32Dollars {
    /// The dollars as the nearest 32-bit float, widened back.
    pub fn value(&self) -> f64 {
        (self.0 as f64 / 100.0) as f32 as f64
    }
}

impl std::fmt::Display for F32Dollars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value())
    }
}

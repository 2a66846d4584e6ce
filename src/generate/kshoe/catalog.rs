//! The Kshoe generator's fixed tables: shoe models, cities, channels.

use crate::generate::rng::Rng;

/// Brand, models, typical new price in rupiah.
const MODELS: [(&str, &[&str], i64); 10] = [
    (
        "Nike",
        &["Air Force 1", "Air Max 90", "Dunk Low", "Pegasus 40"],
        1_600_000,
    ),
    (
        "Adidas",
        &["Samba OG", "Stan Smith", "Ultraboost 22", "Gazelle"],
        1_500_000,
    ),
    ("New Balance", &["550", "574", "990v5", "2002R"], 1_800_000),
    (
        "Converse",
        &["Chuck Taylor All Star", "Chuck 70", "Run Star Hike"],
        900_000,
    ),
    (
        "Vans",
        &["Old Skool", "Authentic", "Sk8-Hi", "Slip-On"],
        950_000,
    ),
    ("Puma", &["Suede Classic", "RS-X", "Palermo"], 1_100_000),
    (
        "Asics",
        &["Gel-Kayano 14", "Gel-Lyte III", "Gel-1130"],
        1_700_000,
    ),
    ("Reebok", &["Club C 85", "Classic Leather"], 1_000_000),
    (
        "Compass",
        &["Gazelle Low", "Retrograde", "Vintage 98"],
        450_000,
    ),
    ("Ventela", &["Public", "Back to 70s", "Ethnic"], 300_000),
];
const COLOURWAYS: [&str; 6] = ["Black", "White", "Cream", "Navy", "Grey", "Black White"];

/// City and weight.
pub const CITIES: [(&str, f64); 12] = [
    ("Jakarta", 24.0),
    ("Surabaya", 11.0),
    ("Bandung", 10.0),
    ("Medan", 7.0),
    ("Semarang", 6.0),
    ("Tangerang", 6.0),
    ("Bekasi", 6.0),
    ("Depok", 5.0),
    ("Yogyakarta", 5.0),
    ("Makassar", 4.0),
    ("Denpasar", 4.0),
    ("Malang", 3.0),
];
/// Sales channel and weight.
pub const CHANNELS: [(&str, f64); 5] = [
    ("Shopee", 35.0),
    ("Tokopedia", 25.0),
    ("Website", 15.0),
    ("Instagram", 15.0),
    ("Offline Store", 10.0),
];

/// A product: one model in one colourway.
pub struct Shoe {
    pub id: String,
    pub name: String,
    pub brand: &'static str,
    /// Price of a new pair in rupiah (a multiple of Rp 1.000, ending in 9.000).
    pub new_price: i64,
}

/// Every model in two or three colourways, in a shuffled popularity order.
pub fn build_shoes(rng: &mut Rng) -> Vec<Shoe> {
    let mut shoes = Vec::new();
    for (brand, models, typical) in MODELS {
        for model in models {
            let mut colours = COLOURWAYS;
            rng.shuffle(&mut colours);
            let base = rng.lognormal(typical as f64, 0.2);
            for colour in &colours[..2 + rng.below(2)] {
                let thousands = (base / 10_000.0).round() as i64 * 10 - 1;
                shoes.push(Shoe {
                    id: String::new(),
                    name: format!("{brand} {model} {colour}"),
                    brand,
                    new_price: thousands.max(9) * 1_000,
                });
            }
        }
    }
    rng.shuffle(&mut shoes);
    for (i, shoe) in shoes.iter_mut().enumerate() {
        shoe.id = format!("KS-{:04}", i + 1);
    }
    shoes
}

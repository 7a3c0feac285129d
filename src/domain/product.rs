//! Products as the shop keeps them: names, units, prices in minor units, stock limits.

use super::Money;
use serde::{Deserialize, Serialize};

/// One product with its stock position, as lists and forms show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: Option<String>,
    /// `pcs` for packaged goods; `g`, `ml` or similar for loose goods.
    pub unit: String,
    pub loose: bool,
    pub quantity: i64,
    /// `None` when the person looking may not see costs (staff: PRODUCT.md, "Who sees costs").
    pub average_cost: Option<Money>,
    /// Zero means not set yet (see [`Product::listed_price`]).
    pub selling_price: Money,
    pub lower_limit: Option<i64>,
    pub upper_limit: Option<i64>,
    /// Its own tax rate in basis points; `None`: the shop's `TAX_RATE`.
    pub tax_rate_bp: Option<u32>,
    /// A tax code such as an HSN/SAC code, printed on bills.
    pub tax_code: Option<String>,
}

/// Where a product's quantity stands against its limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockLevel {
    OutOfStock,
    Low,
    Normal,
    Over,
}

impl Product {
    /// The product as `role` may see it: staff never receive its cost.
    pub fn for_role(self, role: super::Role) -> Self {
        Self {
            average_cost: self.average_cost.filter(|_| role.is_manager()),
            ..self
        }
    }

    /// The selling price, `None` while it is not set: a product a purchase created starts at
    /// zero, and the shop never lists goods for nothing (a sale line may still be typed at 0).
    pub fn listed_price(&self) -> Option<Money> {
        price_set(self.selling_price)
    }

    /// How its quantities and unit prices read and are typed (kg and per kg when sold loose
    /// by the gram).
    pub fn measure(&self) -> super::Measure {
        super::Measure::new(self.unit.clone(), self.loose)
    }

    /// Out of stock at zero; low below the lower limit; over above the upper limit.
    pub fn stock_level(&self) -> StockLevel {
        match (self.lower_limit, self.upper_limit) {
            _ if self.quantity <= 0 => StockLevel::OutOfStock,
            (Some(lower), _) if self.quantity < lower => StockLevel::Low,
            (_, Some(upper)) if self.quantity > upper => StockLevel::Over,
            _ => StockLevel::Normal,
        }
    }
}

/// What a product's price reads in lists and on its page while it is not set.
pub const NOT_SET: &str = "Not set";

/// A stored selling price as a price that is set, or `None` (zero: not set yet).
pub fn price_set(selling_price: Money) -> Option<Money> {
    (selling_price != Money::ZERO).then_some(selling_price)
}

impl StockLevel {
    /// The words shown next to the quantity, if any.
    pub fn label(self) -> Option<&'static str> {
        match self {
            StockLevel::OutOfStock => Some("Out of stock"),
            StockLevel::Low => Some("Low stock"),
            StockLevel::Over => Some("Overstock"),
            StockLevel::Normal => None,
        }
    }
}

/// The orders the inventory can be listed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductSort {
    /// A to Z.
    #[default]
    Name,
    /// Z to A.
    NameDesc,
    /// Least stock first: what to reorder.
    Quantity,
    /// Most stock first.
    QuantityDesc,
}

impl ProductSort {
    /// From the `sort` query parameter; anything unknown is the default.
    pub fn parse(text: &str) -> Self {
        match text {
            "name_desc" => Self::NameDesc,
            "quantity" => Self::Quantity,
            "quantity_desc" => Self::QuantityDesc,
            _ => Self::Name,
        }
    }

    /// The `sort` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NameDesc => "name_desc",
            Self::Quantity => "quantity",
            Self::QuantityDesc => "quantity_desc",
        }
    }
}

/// Products are counted exactly up to this many; beyond it the list says "more than". Counting
/// 100,000 rows on every page view would cost more than the rest of the page.
pub const COUNT_CAP: i64 = 1_000;

/// A count made up to [`COUNT_CAP`]` + 1`, as a person reads it: `1,000+` beyond the cap.
pub fn capped_count(n: i64) -> String {
    if n > COUNT_CAP {
        "1,000+".to_owned()
    } else {
        n.to_string()
    }
}

/// One page of a product list and how many products match in all (up to [`COUNT_CAP`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub products: Vec<Product>,
    /// Exact when at most [`COUNT_CAP`]; otherwise `COUNT_CAP + 1`.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Whether a later page has products.
    pub has_next: bool,
}

impl ProductPage {
    /// The number of the last page (at least 1), when the count is exact.
    pub fn last_page(&self) -> Option<i64> {
        (self.total <= COUNT_CAP)
            .then(|| ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1))
    }

    /// "12 products · page 1 of 1", or "More than 1,000 products · page 7".
    pub fn summary(&self) -> String {
        match self.last_page() {
            Some(last) => {
                let noun = if self.total == 1 {
                    "product"
                } else {
                    "products"
                };
                format!("{} {noun} · page {} of {last}", self.total, self.page)
            }
            None => format!("More than 1,000 products · page {}", self.page),
        }
    }
}

/// The longest SKU or barcode kept (GS1 codes are at most 14 digits; shop codes are short).
pub const MAX_SKU_CHARS: usize = 32;
/// The longest unit name kept (`pcs`, `g`, `ml`, `dozen`).
pub const MAX_UNIT_CHARS: usize = 12;

/// A SKU or barcode as typed: empty means none; otherwise letters, digits, `-`, `_`, `.`, `/`.
pub fn parse_sku(input: &str) -> Result<Option<String>, &'static str> {
    let sku = input.trim();
    if sku.is_empty() {
        return Ok(None);
    }
    if sku.chars().count() > MAX_SKU_CHARS {
        return Err("Use at most 32 characters");
    }
    if !sku
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        return Err("Use letters, digits, and - _ . / only");
    }
    Ok(Some(sku.to_owned()))
}

/// A unit of quantity as typed: `pcs`, `g`, `ml`, `kg`… (letters only, lower-cased).
pub fn parse_unit(input: &str) -> Result<String, &'static str> {
    let unit = input.trim().to_lowercase();
    if unit.is_empty() {
        return Err("Enter a unit, e.g. pcs, g or ml");
    }
    if unit.chars().count() > MAX_UNIT_CHARS || !unit.chars().all(char::is_alphabetic) {
        return Err("Use a short word of letters, e.g. pcs, g or ml");
    }
    Ok(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_of_zero_is_not_set_and_any_other_is() {
        assert_eq!(price_set(Money::ZERO), None);
        assert_eq!(price_set(Money::from_minor(1)), Some(Money::from_minor(1)));
    }

    #[test]
    fn skus_are_optional_short_codes() {
        assert_eq!(parse_sku("  "), Ok(None));
        assert_eq!(
            parse_sku(" 8901234567890 "),
            Ok(Some("8901234567890".into()))
        );
        assert_eq!(parse_sku("RICE-5KG/A"), Ok(Some("RICE-5KG/A".into())));
        assert!(parse_sku("a b").is_err());
        assert!(parse_sku("<script>").is_err());
        assert!(parse_sku(&"9".repeat(33)).is_err());
    }

    #[test]
    fn sorts_round_trip_and_default_to_name() {
        for sort in [
            ProductSort::Name,
            ProductSort::NameDesc,
            ProductSort::Quantity,
            ProductSort::QuantityDesc,
        ] {
            assert_eq!(ProductSort::parse(sort.as_str()), sort);
        }
        assert_eq!(ProductSort::parse("drop table"), ProductSort::Name);
    }

    #[test]
    fn units_are_short_words() {
        assert_eq!(parse_unit(" PCS "), Ok("pcs".into()));
        assert_eq!(parse_unit("ml"), Ok("ml".into()));
        assert!(parse_unit("").is_err());
        assert!(parse_unit("5kg").is_err());
        assert!(parse_unit(&"g".repeat(13)).is_err());
    }

    fn product(quantity: i64, lower: Option<i64>, upper: Option<i64>) -> Product {
        Product {
            id: 1,
            name: "Rice".into(),
            sku: None,
            unit: "pcs".into(),
            loose: false,
            quantity,
            average_cost: Some(Money::ZERO),
            selling_price: Money::ZERO,
            lower_limit: lower,
            upper_limit: upper,
            tax_rate_bp: None,
            tax_code: None,
        }
    }

    #[test]
    fn stock_levels_follow_the_limits() {
        assert_eq!(
            product(0, Some(5), None).stock_level(),
            StockLevel::OutOfStock
        );
        assert_eq!(product(4, Some(5), None).stock_level(), StockLevel::Low);
        assert_eq!(
            product(5, Some(5), Some(10)).stock_level(),
            StockLevel::Normal
        );
        assert_eq!(
            product(11, Some(5), Some(10)).stock_level(),
            StockLevel::Over
        );
        assert_eq!(product(3, None, None).stock_level(), StockLevel::Normal);
    }

    #[test]
    fn the_last_page_counts_a_partial_page_and_is_never_zero() {
        let page = |total| ProductPage {
            products: vec![],
            total,
            page: 1,
            per_page: 25,
            has_next: false,
        };
        assert_eq!(page(0).last_page(), Some(1));
        assert_eq!(page(25).last_page(), Some(1));
        assert_eq!(page(26).last_page(), Some(2));
        assert_eq!(page(1_000).last_page(), Some(40));
        assert_eq!(page(1_001).last_page(), None);
        assert_eq!(page(1).summary(), "1 product · page 1 of 1");
        assert_eq!(page(1_001).summary(), "More than 1,000 products · page 1");
    }
}
